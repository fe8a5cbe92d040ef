"""Decoding planners' text files, refusing garbled text (double conversion, code page 850)."""

from __future__ import annotations

import re
from pathlib import Path

from layers.errors import SourceDataError

__all__ = ["decode_text", "detect_utf16"]


_ENCODINGS = ("utf-8-sig", "cp1252")


def decode_text(raw: bytes, *, datei: str | Path | None = None) -> str:
    """Decode a text file as planners' programs write it, refusing garbled text.

    Accepted: UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode-Text") or without
    (recognised by its zero bytes, see :func:`detect_utf16`) and
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
    without_bom = detect_utf16(raw)
    if without_bom is not None:
        return _decode_utf16(raw, datei, encoding=without_bom)
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


def detect_utf16(raw: bytes) -> str | None:
    """Recognise UTF-16 without byte order mark (``"utf-16-le"``/``"utf-16-be"``) or ``None``.

    Tables are mostly ASCII letters, digits and separators, whose UTF-16 form has a zero byte in
    every other position: in little-endian files at odd offsets, in big-endian files at even ones.
    Binary files have zero bytes without that pattern.
    """
    sample = raw[:4096]
    sample = sample[: len(sample) - len(sample) % 2]
    half = len(sample) // 2
    if half < 4:
        return None
    zeros_even = sample[0::2].count(0)
    zeros_odd = sample[1::2].count(0)
    if zeros_odd >= 0.4 * half and zeros_even <= 0.02 * half:
        return "utf-16-le"
    if zeros_even >= 0.4 * half and zeros_odd <= 0.02 * half:
        return "utf-16-be"
    return None


def _decode_utf16(raw: bytes, datei: str | Path | None, *, encoding: str = "utf-16") -> str:
    """Decode a UTF-16 file (with byte order mark, or the byte order :func:`detect_utf16` found)."""
    try:
        return raw.decode(encoding)
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
    for pattern, triggers, kind in (
        (_MOJIBAKE, "ÃÂ", "die Datei wurde zweimal umkodiert oder mischt UTF-8 und Windows-1252"),
        (_CP850, "\u201e\u201d\u00e1", "die Datei ist in einer DOS-Kodierung (Codepage 850) "
         "gespeichert"),
    ):
        if not any(char in text for char in triggers):
            continue  # a plain substring test is far cheaper than the pattern on a large file
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
