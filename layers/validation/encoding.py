"""Decoding planners' text files, refusing garbled text (double conversion, code page 850)."""

from __future__ import annotations

import re
from pathlib import Path

from layers.errors import SourceDataError

__all__ = ["decode_text"]


_ENCODINGS = ("utf-8-sig", "cp1252")


def decode_text(raw: bytes, *, datei: str | Path | None = None) -> str:
    """Decode a text file as planners' programs write it, refusing garbled text.

    Accepted: UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode-Text") and
    Windows-1252 (Excel's "CSV (Trennzeichen-getrennt)" on German Windows). Refused with a German
    message naming the row: bytes that fit none of these (e.g. DOS code page 850), and text that
    decodes but is visibly garbled, because it was converted twice ("StraÃŸe") or mixes
    encodings, or was written in code page 850 ("Straáe", "K„phe").

    Parameters
    ----------
    raw
        File content.
    datei
        For messages.

    Returns
    -------
    str

    Raises
    ------
    SourceDataError
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _decode_utf16(raw, datei)
    text = _decode_8bit(raw, datei)
    garbled = _garbled_text(text)
    if garbled is not None:
        zeile, sample, kind = garbled
        raise SourceDataError(
            f"Umlaute und Sonderzeichen sind falsch kodiert ('{sample}'): {kind}.",
            hinweis="Exportieren Sie die Tabelle erneut aus dem Ursprungsprogramm als 'CSV UTF-8 "
            "(durch Trennzeichen getrennt)'; korrigieren Sie die Zeichen nicht von Hand.",
            datei=datei,
            zeile=zeile,
        )
    return text


def _decode_utf16(raw: bytes, datei: str | Path | None) -> str:
    """Decode a file that starts with a UTF-16 byte order mark."""
    try:
        return raw.decode("utf-16")
    except UnicodeDecodeError as exc:
        raise SourceDataError(
            "Die Datei beginnt wie eine UTF-16-Datei, ist aber beschädigt.",
            hinweis="Speichern Sie die Tabelle in Excel als 'CSV UTF-8 (durch Trennzeichen "
            "getrennt)'.",
            datei=datei,
        ) from exc


def _decode_8bit(raw: bytes, datei: str | Path | None) -> str:
    """Decode as UTF-8 (BOM optional) or Windows-1252; other bytes name the first bad row."""
    for encoding in _ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SourceDataError(
        "Die Zeichenkodierung der Datei ist weder UTF-8 noch Windows-1252 (vermutlich eine "
        "alte DOS-Kodierung wie Codepage 850 oder eine Mac-Kodierung).",
        hinweis="Öffnen Sie die Datei in Excel oder LibreOffice mit dem richtigen "
        "Zeichensatz und speichern Sie sie als 'CSV UTF-8 (durch Trennzeichen getrennt)'.",
        datei=datei,
        zeile=_first_undecodable_line(raw),
    )


# UTF-8 read as Windows-1252: "ä" → "Ã¤", "ß" → "ÃŸ", "é" → "Ã©" (and "Â" before NBSP, "°").
_CONTINUATION = bytes(range(0x80, 0xC0)).decode("cp1252", errors="ignore")
_MOJIBAKE = re.compile(f"[ÃÂ][{re.escape(_CONTINUATION)}]")
# Code page 850 read as Windows-1252: "ä" → "„", "ö" → "”", "ß" → "á", inside words.
_CP850 = re.compile(r"[A-Za-z][\u201e\u201d][a-z]|(?i:stra\u00e1e|gro\u00e1)")


def _garbled_text(text: str) -> tuple[int, str, str] | None:
    for pattern, kind in (
        (_MOJIBAKE, "die Datei wurde zweimal umkodiert oder mischt UTF-8 und Windows-1252"),
        (_CP850, "die Datei ist in einer DOS-Kodierung (Codepage 850) gespeichert"),
    ):
        match = pattern.search(text)
        if match:
            line_start = text.rfind("\n", 0, match.start()) + 1
            line_end = text.find("\n", match.end())
            line = text[line_start : line_end if line_end >= 0 else len(text)]
            word = re.search(r"[^\s;,\t|]*" + re.escape(match.group(0)) + r"[^\s;,\t|]*", line)
            sample = (word.group(0) if word else match.group(0)).strip(";,\t\"")[:40]
            return text.count("\n", 0, match.start()) + 1, sample, kind
    return None


def _first_undecodable_line(raw: bytes) -> int | None:
    for number, line in enumerate(raw.split(b"\n"), start=1):
        try:
            line.decode("cp1252")
        except UnicodeDecodeError:
            return number
    return None
