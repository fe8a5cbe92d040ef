"""Deterministic typing errors for the geocoding test: real addresses as people mistype them."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

# Neighbouring keys on a German QWERTZ keyboard (for substitution errors).
_NEIGHBOURS = {
    "q": "wa", "w": "qes", "e": "wrd", "r": "etf", "t": "rzg", "z": "tuh", "u": "zij",
    "i": "uok", "o": "ipl", "p": "oü", "a": "qsy", "s": "adw", "d": "sfe", "f": "dgr",
    "g": "fht", "h": "gjz", "j": "hku", "k": "jli", "l": "kö", "y": "xa", "x": "yc",
    "c": "xv", "v": "cb", "b": "vn", "n": "bm", "m": "n", "ä": "ö", "ö": "lä", "ü": "p",
}


def _typo(text: str, rng: np.random.Generator) -> str:
    """One typing error inside the name (first letter kept: people rarely miss it)."""
    letters = [i for i, c in enumerate(text) if c.isalpha() and i > 0]
    pos = int(rng.choice(letters))
    kind = rng.choice(["auslassen", "vertauschen", "vertippen", "verdoppeln"])
    if kind == "auslassen":
        return text[:pos] + text[pos + 1 :]
    if kind == "vertauschen" and pos + 1 < len(text) and text[pos + 1].isalpha():
        return text[:pos] + text[pos + 1] + text[pos] + text[pos + 2 :]
    if kind == "vertippen":
        lower = text[pos].lower()
        options = _NEIGHBOURS.get(lower, "e")
        new = options[int(rng.integers(len(options)))]
        return text[:pos] + (new.upper() if text[pos].isupper() else new) + text[pos + 1 :]
    return text[:pos] + text[pos] + text[pos:]


def _spelling(text: str, rng: np.random.Generator) -> str:
    """A common spelling variant people use for the same street (not an error)."""
    kind = rng.choice(["str.", "Str", "ss", "klein", "keine"])
    if kind == "str." and text.endswith("straße"):
        return text[: -len("straße")] + "str."
    if kind == "Str" and text.endswith(" Straße"):
        return text[: -len("Straße")] + "Str"
    if kind == "ss":
        return text.replace("ß", "ss").replace("ü", "ue").replace("ö", "oe").replace("ä", "ae")
    if kind == "klein":
        return text.lower()
    return text


def sample_addresses_with_typos(
    addresses: gpd.GeoDataFrame, n: int, *, seed: int
) -> pd.DataFrame:
    """Draw ``n`` real addresses and mistype every street name once (plus a spelling variant).

    Only addresses whose street/number pair occurs once are drawn, so the true point is known.
    House numbers keep their value but may be written with a space before the letter ("12 a").

    Returns
    -------
    pandas.DataFrame
        ``strasse`` (true), ``strasse_tippfehler``, ``hausnummer_eingabe``, ``plz``, ``ort``,
        ``x_wahr``, ``y_wahr``.
    """
    rng = np.random.default_rng(seed)
    counts = addresses.groupby(["strasse", "hausnummer"])["strasse"].transform("size")
    pool = addresses[(counts == 1).to_numpy() & (addresses["strasse"].str.len() >= 5).to_numpy()]
    picked = pool.iloc[np.sort(rng.choice(len(pool), size=n, replace=False))]
    rows = []
    for row in picked.itertuples():
        street = _typo(_spelling(str(row.strasse), rng), rng)
        number = str(row.hausnummer)
        if number[-1:].isalpha() and rng.random() < 0.5:
            number = number[:-1] + " " + number[-1].upper()
        rows.append(
            {
                "strasse": row.strasse,
                "strasse_tippfehler": street,
                "hausnummer_eingabe": number,
                "plz": row.plz,
                "ort": row.ort,
                "x_wahr": row.geometry.x,
                "y_wahr": row.geometry.y,
            }
        )
    return pd.DataFrame(rows)
