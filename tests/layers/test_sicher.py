"""layers.sicher: escaping for HTML, attributes, template literals, <script> JSON, Markdown,
spreadsheet cells, file names and output folders, each with hostile values."""

from __future__ import annotations

import json
import os
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from layers.errors import InputValidationError, SozialraumError
from layers.formatting import excel_csv_bytes
from layers.sicher import (
    escape_html,
    escape_markdown,
    formula_like,
    neutralise_cell,
    neutralise_formulas,
    path_inside,
    safe_file_name,
    script_json,
)

HOSTILE = [
    "<img src=x onerror=\"window.__pwned=1\">",
    "<script>window.__pwned=1</script>",
    "</script><script>window.__pwned=1</script>",
    "${window.__pwned=1}",
    "`+(window.__pwned=1)+`",
    "\\`${window.__pwned=1}",
    "\" onmouseover=\"window.__pwned=1\" x=\"",
    "' onmouseover='window.__pwned=1' x='",
    "<!-- <script>",
    "&lt;script&gt; already escaped &amp;",
    "Zeile 1\nZeile 2\r\n\tTab \u2028 \u2029 ÄÖÜß",
]


class _Collect(HTMLParser):
    """Every start tag with its attributes, and the text (entities resolved)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.script: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        (self.script if self._in_script else self.text).append(data)


def _parse(markup: str) -> _Collect:
    parser = _Collect()
    parser.feed(markup)
    parser.close()
    return parser


@pytest.mark.parametrize("value", HOSTILE)
def test_html_text_shows_the_value_and_creates_no_element(value):
    escaped = escape_html(value)
    parsed = _parse(f"<div>{escaped}</div>")
    assert [t for t, _ in parsed.tags] == ["div"]
    assert "".join(parsed.text) == value
    for dangerous in "<>\"'`$\\":
        assert dangerous not in escaped


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("quote", ['"', "'"])
def test_attribute_keeps_the_value_inside_the_attribute(value, quote):
    parsed = _parse(f"<span title={quote}{escape_html(value)}{quote} class=\"x\">t</span>")
    assert len(parsed.tags) == 1
    tag, attrs = parsed.tags[0]
    assert tag == "span" and set(attrs) == {"title", "class"}
    assert attrs["title"] == value


def test_unescaped_value_would_create_elements():
    # The parser used above does see an injection when nothing is escaped.
    parsed = _parse(f"<div>{HOSTILE[0]}</div>")
    assert [t for t, _ in parsed.tags] == ["div", "img"]
    assert "onerror" in parsed.tags[1][1]


def test_template_literal_characters_become_references():
    assert escape_html("${x}") == "&#x24;{x}"
    assert escape_html("a`b\\c") == "a&#x60;b&#x5C;c"
    assert escape_html(None) == "" and escape_html(float("nan")) == "" and escape_html(pd.NA) == ""
    assert escape_html(12.5) == "12.5"


@pytest.mark.parametrize("value", [*HOSTILE, {"name": "</script><b>", "n": [1, "<!--"]}])
def test_script_json_stays_inside_the_script_element_and_reads_back(value):
    literal = script_json(value)
    parsed = _parse(f"<script>var daten = {literal};</script><p>danach</p>")
    assert [t for t, _ in parsed.tags] == ["script", "p"]
    assert "".join(parsed.script) == f"var daten = {literal};"
    assert json.loads(literal) == value
    assert "</" not in literal and "<!--" not in literal and "\u2028" not in literal


def test_plain_json_would_end_the_script_element():
    parsed = _parse(f"<script>var d = {json.dumps(HOSTILE[2])};</script>")
    assert [t for t, _ in parsed.tags] == ["script", "script"]


def test_markdown_special_characters_are_escaped():
    text = escape_markdown("![bild](http://example.org/x.png) [link](javascript:alert(1)) "
                           "**fett** _kursiv_ `code` <b> &amp; ~~weg~~ $x^2$ :red[rot] "
                           ":material/home: a|b")
    for construct in ("![", "](", "**", "_k", "`c", "<b", "&a", "~~", "$x", ":red[", ":material"):
        assert construct not in text.replace("\\" + construct[0], ""), construct
    assert text.startswith("\\!\\[bild\\](http")
    assert "\\:red\\[rot\\]" in text and "\\:material/home\\:" not in text  # ":" only before a letter
    assert escape_markdown("Zeile 3: Typ") == "Zeile 3: Typ"
    assert escape_markdown("EUTB Aachen (fiktiv)") == "EUTB Aachen (fiktiv)"


def test_markdown_line_breaks():
    assert escape_markdown("a\n# Überschrift\n- Liste") == "a # Überschrift - Liste"
    assert escape_markdown("a\n- b", keep_lines=True) == "a\n- b"
    assert escape_markdown(None) == ""


# --------------------------------------------------------------------------------------------
# Spreadsheet cells
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["=HYPERLINK(\"http://x\";\"klick\")", "+49 241 12345", "-2+3+cmd|' /C calc'!A0",
                                   "@SUM(A1:A2)", "\t=1+1", "\r=1+1", "-", "=", "+ Beratung"])
def test_formula_cells_get_an_apostrophe(value):
    assert formula_like(value)
    assert neutralise_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Beratung", "", " =nicht am Anfang", "-3", "-1.234,5", "+2,5 %",
                                   "-0.5e-3", "'=schon neutral", -3, -2.5, None, np.nan])
def test_other_cells_stay(value):
    assert not formula_like(value)
    result = neutralise_cell(value)
    assert result is value or (isinstance(value, float) and np.isnan(result))


def test_neutralise_formulas_changes_only_text_cells():
    frame = pd.DataFrame({
        "name": pd.array(["=1+1", "Beratung", None, "@x"], dtype="string"),
        "objekt": ["-2+3", "ok", -5, "+49 241 1"],
        "zahl": [-1.5, 2.0, -3.0, 4.0],
        "ganz": [-1, 2, 3, -4],
        "kategorie": pd.Categorical(["-x", "a", "a", "=b"]),
        "=kopf": ["a", "b", "c", "d"],
    })
    out = neutralise_formulas(frame)
    assert out is not frame
    assert out["name"].tolist()[:2] == ["'=1+1", "Beratung"] and pd.isna(out["name"].iloc[2])
    assert out["name"].iloc[3] == "'@x"
    assert out["objekt"].tolist() == ["'-2+3", "ok", -5, "'+49 241 1"]
    assert out["zahl"].tolist() == [-1.5, 2.0, -3.0, 4.0] and out["zahl"].dtype == float
    assert out["ganz"].tolist() == [-1, 2, 3, -4]
    assert out["kategorie"].tolist() == ["'-x", "a", "a", "'=b"]
    assert list(out.columns) == ["name", "objekt", "zahl", "ganz", "kategorie", "'=kopf"]
    assert frame["name"].iloc[0] == "=1+1" and list(frame.columns)[-1] == "=kopf"  # input unchanged
    clean = pd.DataFrame({"a": ["x"], "b": [-1]})
    assert neutralise_formulas(clean) is clean


def test_the_one_csv_writer_neutralises(tmp_path):
    frame = pd.DataFrame({"Name": ["=HYPERLINK(\"http://x\")", "-2+3", "Beratung"],
                          "Differenz": [-3.5, 0.0, 2.25], "Text": ["-3,5", "@a", "ok"]})
    path = tmp_path / "tabelle.csv"
    path.write_bytes(excel_csv_bytes(frame))
    back = pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig")
    assert back["Name"].tolist() == ["'=HYPERLINK(\"http://x\")", "'-2+3", "Beratung"]
    assert back["Differenz"].tolist() == [-3.5, 0.0, 2.25]
    assert back["Text"].tolist() == ["-3,5", "'@a", "ok"]


def test_a_line_break_in_a_cell_cannot_start_a_new_row(tmp_path):
    frame = pd.DataFrame({"Name": ["Beratung\r=1+1", "Nord\n@SUMME(A1)", "ok"], "Zahl": [1, 2, 3]})
    data = excel_csv_bytes(frame)
    assert data.decode("utf-8-sig").splitlines()[0] == "Name;Zahl"
    assert b'"Beratung\r=1+1";1\r\n' in data and b'"Nord\n@SUMME(A1)";2\r\n' in data
    path = tmp_path / "zeilen.csv"
    path.write_bytes(data)
    back = pd.read_csv(path, sep=";", encoding="utf-8-sig")
    assert back["Name"].tolist() == frame["Name"].tolist() and back["Zahl"].tolist() == [1, 2, 3]


# --------------------------------------------------------------------------------------------
# File names and folders
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("../../../x", "x"), ("..", "datei"), (".", "datei"), ("", "datei"), (None, "datei"),
    ("/etc/passwd", "etc-passwd"), ("C:\\Windows\\system32", "C-Windows-system32"),
    ("Süd/Ost", "Sued-Ost"), ("PR 07: Café", "PR-07-Cafe"), (".versteckt", "versteckt"),
    ("a..b", "a.b"), ("CON", "_CON"), ("nul.txt", "_nul.txt"), ("bericht.csv", "bericht.csv"),
    ("x\x00y", "x-y"), ("<script>", "script"),
])
def test_safe_file_name(text, expected):
    assert safe_file_name(text) == expected


def test_safe_file_name_is_short_and_never_a_separator():
    long = safe_file_name("ä" * 500)
    assert len(long) <= 120
    for text in ("a/b", "a\\b", "../..", "....", "x/../../y"):
        name = safe_file_name(text)
        assert os.sep not in name and "/" not in name and "\\" not in name and ".." not in name


def test_path_inside(tmp_path):
    assert path_inside(tmp_path, "bericht.pdf") == (tmp_path / "bericht.pdf").resolve()
    assert path_inside(tmp_path / "neu", "a/b.csv") == (tmp_path / "neu" / "a" / "b.csv").resolve()
    for bad in ("../x", "../../../x", "a/../../x", str(tmp_path.parent / "x"), "", "."):
        with pytest.raises(InputValidationError) as info:
            path_inside(tmp_path, bad)
        assert "Ausgabeordner" in info.value.meldung
        assert isinstance(info.value, SozialraumError)


def test_path_inside_follows_links(tmp_path):
    outside = tmp_path / "draussen"
    outside.mkdir()
    folder = tmp_path / "ausgabe"
    folder.mkdir()
    try:
        (folder / "link").symlink_to(outside, target_is_directory=True)
    except OSError:  # pragma: no cover - no symlinks on this system
        pytest.skip("Symbolische Links werden hier nicht unterstützt.")
    with pytest.raises(InputValidationError):
        path_inside(folder, Path("link") / "x.csv")
