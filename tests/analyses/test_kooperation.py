"""The cooperation network on a hand-made six-offer network with known answers."""

from __future__ import annotations

import pandas as pd
import pytest

from analyses.kooperation import (
    ComplementaryPair,
    area_summary,
    load_complementary_pairs,
    missing_links,
    network_measures,
)
from layers import settings
from layers.angebote import service_type_keys
from layers.errors import ConfigError

# A–B–C form a triangle, C–D and D–E a chain, F cooperates with nobody.
OFFERS = pd.DataFrame({
    "angebot_id": list("ABCDEF"),
    "name": [f"Stelle {c}" for c in "ABCDEF"],
    "typ": ["KoKoBe", "EUTB", "SPZ", "EUTB", "Pflegestützpunkt", "KoKoBe"],
    "pr_id": ["PR1", "PR1", "PR1", "PR2", "PR2", "PR2"],
})
LINKS = pd.DataFrame({
    "angebot_a": ["A", "B", "C", "C", "D", "B"],
    "angebot_b": ["B", "C", "A", "D", "E", "A"],  # the last repeats A–B in another kind
    "art": ["Fallkonferenz", "Verweis", "Verweis", "gemeinsame Sprechstunde", "Verweis",
            "Netzwerktreffen"],
})


def test_degree_isolated_brokers_and_components():
    measures = network_measures(OFFERS, LINKS).set_index("angebot_id")
    assert measures["grad"].to_dict() == {"A": 2, "B": 2, "C": 3, "D": 2, "E": 1, "F": 0}
    assert measures.index[measures["isoliert"]].tolist() == ["F"]
    # C and D are the articulation points; C lies on 4 of the 10 shortest paths between the
    # other five offers (A/B to D/E), D on 3 (A/B/C to E): normalised by (n-1)(n-2)/2 = 10.
    assert measures.index[measures["vermittler"]].tolist() == ["C", "D"]
    assert measures["zwischenzentralitaet"].to_dict() == pytest.approx(
        {"A": 0.0, "B": 0.0, "C": 0.4, "D": 0.3, "E": 0.0, "F": 0.0})
    assert measures["komponente"].to_dict() == {"A": 1, "B": 1, "C": 1, "D": 1, "E": 1, "F": 2}
    assert measures.loc["A", "komponente_groesse"] == 5
    assert measures.loc["F", "komponente_groesse"] == 1


def test_links_to_unknown_or_retired_offers_are_left_out():
    extra = pd.concat([LINKS, pd.DataFrame({"angebot_a": ["F", "E"], "angebot_b": ["X", "E"],
                                            "art": ["Verweis", "Verweis"]})])
    measures = network_measures(OFFERS, extra).set_index("angebot_id")
    assert measures.loc["F", "grad"] == 0
    assert measures.loc["E", "grad"] == 1


def test_share_without_cooperation_per_area():
    summary = area_summary(OFFERS, network_measures(OFFERS, LINKS), order=["PR1", "PR2", "PR3"])
    assert summary["pr_id"].tolist() == ["PR1", "PR2", "PR3"]
    assert summary["angebote"].tolist() == [3, 3, 0]
    assert summary["ohne_kooperation"].tolist() == [0, 1, 0]
    assert summary["anteil_ohne_kooperation"].iloc[:2].tolist() == pytest.approx([0.0, 1 / 3])
    assert pd.isna(summary["anteil_ohne_kooperation"].iloc[2])


def test_missing_links_pair_the_nearest_complementary_offer_within_reach():
    pairs = [ComplementaryPair("KoKoBe", "EUTB", "Verweis bei Teilhabefragen")]
    reach = pd.DataFrame({"von": ["F", "F", "A"], "nach": ["D", "B", "D"],
                          "minuten": [6.0, 12.0, 3.0]})
    table = missing_links(OFFERS, LINKS, pairs, reach, max_minutes=10)
    # A already cooperates with the EUTB B, so only F lacks a link: its nearest EUTB in reach is
    # D (6 min; B is 12 min away). D has no KoKoBe partner either; its nearest is A (3 min).
    assert table[["angebot_a", "angebot_b", "minuten"]].values.tolist() == [
        ["A", "D", 3.0], ["F", "D", 6.0]]
    assert set(table["grund"]) == {"Verweis bei Teilhabefragen"}
    # Out of reach: nothing.
    assert missing_links(OFFERS, LINKS, pairs, reach, max_minutes=2).empty


def test_the_data_file_of_complementary_types_names_known_types_and_reasons():
    pairs = load_complementary_pairs(settings.vocab_dir / "kooperation_ergaenzung.toml",
                                     service_type_keys())
    found = {(p.typ_a, p.typ_b) for p in pairs}
    assert {("KoKoBe", "EUTB"), ("SPZ", "EUTB"),
            ("Pflegestützpunkt", "Beratung § 106 SGB IX")} <= found
    assert all(len(p.grund) > 20 for p in pairs)


def test_a_bad_pair_file_is_refused_in_german(tmp_path):
    path = tmp_path / "paare.toml"
    path.write_text('[[paar]]\ntyp_a = "KoKoBe"\ntyp_b = "EUTX"\ngrund = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="den Angebotstyp 'EUTX' gibt es nicht"):
        load_complementary_pairs(path, service_type_keys())
