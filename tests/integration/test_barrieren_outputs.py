"""Free text stays in the store: no output function, export or command ever returns it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import cli
from analyses.privacy import DisclosureRule
from layers.barrieren import import_barriers, read_reports
from planungsraeume.barrieren import area_summaries, hotspot_outputs, publication
from planungsraeume.region import Region
from tests.tools.paths import DATA as TEST_DATA

SECRET = "GEHEIM-Herr-Maier-Rollstuhl-4711"


def _file_with_free_text(tmp_path: Path) -> Path:
    rows = ["person_schluessel;icf_code;qualifikator;beeintraechtigung;datum;x;y;bemerkung"]
    for i in range(12):  # enough persons in one place for the cell to be published
        rows.append(f"P-T{i:03d};e150;.3;Mobilität;05.03.2024;{295050 + i};{5628950 + i};"
                    f"{SECRET} {i}")
    path = tmp_path / "mit_freitext.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _contains_secret(value: object) -> bool:
    if isinstance(value, pd.DataFrame):
        return any(_contains_secret(v) for v in value.astype(str).to_numpy().ravel()) or any(
            SECRET in str(c) for c in value.columns)
    return SECRET in str(value)


def test_free_text_never_leaves_the_store(aachen_store_copy, tmp_path, capsys):
    import_barriers(_file_with_free_text(tmp_path), "aachen", store=aachen_store_copy)
    stored = aachen_store_copy.read_layer("barrieren")
    assert stored["freitext"].astype(str).str.contains(SECRET).sum() == 12  # stored ...
    assert not _contains_secret(read_reports(aachen_store_copy))  # ... but not read out

    for rule in (DisclosureRule.oeffentlich(), DisclosureRule.intern(begruendung="Test")):
        region = Region.open("aachen", store=aachen_store_copy)
        pub = publication(region, rule=rule)
        frames = [pub.gitter(r) for r in pub.rule.gitter] + [
            pub.planungsraeume(), pub.strassen(), pub.region(), pub.icf_je_planungsraum(),
            pub.icf_region(), pub.jahre_je_planungsraum(), pub.jahre_region()]
        assert not any(_contains_secret(f) for f in frames)
        for summary in area_summaries(region, pub):
            assert not _contains_secret(summary.text())
            assert not _contains_secret(summary.top_codes) and not _contains_secret(summary.trend)
        export = tmp_path / f"export_{rule.modus}.gpkg"
        pub.export(export)
        assert SECRET.encode() not in export.read_bytes()
    files = hotspot_outputs(Region.open("aachen", store=aachen_store_copy), 100, tmp_path / "hot",
                            permutations=99)
    for path in (files.geopackage, files.geotiff):
        assert SECRET.encode() not in path.read_bytes()
    assert SECRET not in capsys.readouterr().out


def test_cli_refuses_bad_file_with_german_message(capsys):
    bad = TEST_DATA / "bad_barrieren" / "aktivitaetscode.csv"
    code = cli.main(["barrieren", "import", str(bad), "--region", "aachen", "--pruefen"])
    err = capsys.readouterr().err
    assert code == 2
    assert "Zeile 2" in err and "Umweltfaktoren" in err


def test_cli_hotspots_writes_grid_and_geotiff(aachen_store, tmp_path, capsys):
    code = cli.main(["barrieren", "hotspots", "--region", "aachen", "--zelle", "1000",
                     "--out", str(tmp_path), "--gruppe", "Mobilität"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert (tmp_path / "barrieren_aachen_1000m.gpkg").exists()
    assert (tmp_path / "barrieren_dichte_aachen_1000m.tif").exists()
    assert "Geheimhaltung: öffentlich" in out
    code = cli.main(["barrieren", "hotspots", "--region", "aachen", "--zelle", "1000",
                     "--out", str(tmp_path), "--intern", "Fallkonferenz"])
    assert code == 0
    assert (tmp_path / "barrieren_aachen_1000m_INTERN.gpkg").exists()
    assert "INTERN" in capsys.readouterr().out
