"""Invariant across the app's pages: every page shows the same inhabitants per planning area
(the one cell→area rule, :meth:`Region.population_by_area`) and the same offers per area
(:meth:`Region.offers`). Each page is read as a user sees it (AppTest), not through its code."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from layers import settings

APP = str(settings.project_root / "app.py")
#: Areas checked on the pages that show one area at a time (first, large, small, last).
SOME_AREAS = ("PR01", "PR09", "PR22", "PR27")


def german_number(text: str) -> float:
    return float(str(text).replace(".", "").replace(",", ".").replace("%", "").strip())


def open_page(page: str | None = None) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=300)
    app.run()
    if page:
        app.switch_page(f"ui/pages/{page}.py").run()
    assert not app.exception, [e.stack_trace for e in app.exception]
    return app


def table_with(app: AppTest, *columns: str) -> pd.DataFrame:
    return next(d.value for d in app.dataframe if set(columns) <= set(d.value.columns))


@pytest.fixture(scope="module")
def truth(aachen):
    """Inhabitants (rounded) and active offers per area, from the Region."""
    population = aachen.population_by_area().set_index("pr_id")["einwohner"].round()
    offers = aachen.offers()["pr_id"].astype(str).value_counts()
    return population, offers.reindex(population.index, fill_value=0)


def test_karte_and_erreichbarkeit_tables_show_the_one_rule(truth):
    population, offers = truth
    karte = table_with(open_page(), "Einwohner (modelliert)", "Angebote (Auswahl)")
    shown = karte.set_index("Nr.")
    assert shown["Einwohner (modelliert)"].to_dict() == population.drop("ohne", errors="ignore").to_dict()
    assert shown["Angebote (Auswahl)"].to_dict() == offers.drop("ohne", errors="ignore").to_dict()
    reach = table_with(open_page("erreichbarkeit"), "Einwohner", "nicht angebunden")
    areas = reach[~reach["Nr."].isin(["", "–"])].set_index("Nr.")["Einwohner"]
    assert (areas - population.reindex(areas.index)).abs().max() <= 1  # whole persons per row


def test_barrieren_table_shows_the_same_inhabitants(truth):
    population, _ = truth
    barriers = table_with(open_page("barrieren"), "Einwohner", "Personen je 1.000 Einw.")
    shown = {row["Nr."]: german_number(row["Einwohner"]) for _, row in barriers.iterrows()}
    assert shown == population.drop("ohne", errors="ignore").to_dict()


def test_profile_and_conference_show_the_same_inhabitants_and_offers(truth):
    from layers.formatting import de_number

    population, offers = truth
    profile = open_page("planungsraeume")
    conference = open_page("konferenz")
    for pr_id in SOME_AREAS:
        profile.selectbox(key="profil_pr").set_value(pr_id).run()
        indicators = profile.dataframe[0].value.set_index("Kennzahl")
        assert indicators.loc["Einwohner", "Planungsraum"] == de_number(population[pr_id])
        listed = next(s.value for s in profile.subheader if s.value.startswith("Angebote im"))
        assert listed == f"Angebote im Planungsraum ({offers[pr_id]})"
        conference.selectbox(key="konferenz_pr").set_value(pr_id).run()
        figures = "\n".join(m.value for m in conference.markdown)
        assert f'<div class="sa-wert">{de_number(population[pr_id])}</div>' in figures
        assert len(conference.dataframe[-1].value) == offers[pr_id]
