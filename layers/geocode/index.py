"""The address index: offline geocoding against the region's ``adressen`` layer (see
:mod:`layers.geocode`)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from layers.geocode.text import (
    housenumber_fallbacks,
    normalize_housenumber,
    normalize_street,
    single_letter_umlauts,
    split_address,
    squash,
)
from layers.validation import is_blank

__all__ = [
    "AddressIndex",
    "EXAKT",
    "GeocodeResult",
    "INTERPOLIERT",
    "MAX_INTERPOLATION_GAP",
    "MEHRDEUTIG",
    "MIN_SCORE_MARGIN",
    "MIN_STREET_SCORE",
    "NICHT_GEFUNDEN",
    "OHNE_ZUSATZ",
    "PLACED",
    "SAME_PLACE_M",
    "UNSCHARF",
]

# Status values (stored in reports; German because users read them).
EXAKT = "exakt"
OHNE_ZUSATZ = "Hausnummer ohne Zusatz"
UNSCHARF = "unscharf"
INTERPOLIERT = "interpoliert"
NICHT_GEFUNDEN = "nicht gefunden"
MEHRDEUTIG = "mehrdeutig"
PLACED = (EXAKT, OHNE_ZUSATZ, UNSCHARF, INTERPOLIERT)

# A fuzzy street match needs this similarity (0–100, rapidfuzz ratio of normalised names) …
MIN_STREET_SCORE = 85.0
# … and must beat the runner-up by this margin, or it is ambiguous.
MIN_SCORE_MARGIN = 4.0
# Address points of one street/number further apart than this are different places.
SAME_PLACE_M = 40.0
# Interpolate a missing house number only between neighbours at most this many numbers apart.
MAX_INTERPOLATION_GAP = 6


@dataclass(frozen=True)
class GeocodeResult:
    """Where an address was placed, or why not.

    Attributes
    ----------
    status
        One of ``exakt``, ``Hausnummer ohne Zusatz``, ``unscharf``, ``interpoliert`` (placed) or
        ``nicht gefunden``, ``mehrdeutig`` (not placed).
    x, y
        Coordinates in the address layer's CRS (NaN if not placed).
    punktzahl
        Confidence 0–100: 100 exact, the street similarity for fuzzy matches, lower for
        fallbacks.
    treffer
        The address that was used, e.g. ``"Adalbertstraße 66, 52062 Aachen"``.
    hinweis
        German explanation for the report (why fuzzy, why not found).
    strasse
        The street name as the address layer spells it (for placed addresses).
    """

    status: str
    x: float = float("nan")
    y: float = float("nan")
    punktzahl: float = 0.0
    treffer: str = ""
    hinweis: str = ""
    strasse: str = ""

    @property
    def placed(self) -> bool:
        """Whether the address got coordinates."""
        return self.status in PLACED


@dataclass
class _Entry:
    x: float
    y: float
    plz: str
    ort: str
    label: str


def _leading_int(number: str) -> int | None:
    match = re.match(r"\d+", number)
    return int(match.group(0)) if match else None


class AddressIndex:
    """Index of the region's address points for offline geocoding.

    Parameters
    ----------
    addresses
        The ``adressen`` layer (``strasse``, ``hausnummer``, ``plz``, ``ort``, point geometry).

    Examples
    --------
    >>> index = AddressIndex(store.read_layer("adressen"))          # doctest: +SKIP
    >>> index.lookup("Adalbertstr.", "66").status                   # doctest: +SKIP
    'exakt'
    """

    def __init__(self, addresses: gpd.GeoDataFrame) -> None:
        self.crs = addresses.crs
        self._streets: dict[str, dict[str, list[_Entry]]] = defaultdict(lambda: defaultdict(list))
        self._display: dict[str, str] = {}
        derived: dict[tuple[str, str], list[_Entry]] = defaultdict(list)
        xs = addresses.geometry.x.to_numpy()
        ys = addresses.geometry.y.to_numpy()
        streets = addresses["strasse"].to_numpy(dtype=object)
        numbers = addresses["hausnummer"].to_numpy(dtype=object)
        plzs = addresses["plz"].to_numpy(dtype=object) if "plz" in addresses else [None] * len(xs)
        orte = addresses["ort"].to_numpy(dtype=object) if "ort" in addresses else [None] * len(xs)
        for x, y, street, number, plz, ort in zip(xs, ys, streets, numbers, plzs, orte, strict=True):
            key = normalize_street(street)
            hnr = normalize_housenumber(number)
            if not key or not hnr or not np.isfinite(x):
                continue
            self._display.setdefault(key, str(street))
            entry = _Entry(
                float(x), float(y),
                "" if is_blank(plz) else str(plz).strip(),
                "" if is_blank(ort) else str(ort).strip(),
                f"{street} {number}",
            )
            self._streets[key][hnr].append(entry)
            # "7-9" and "14,16" in OSM stand for each of their numbers, too (but an address
            # point of its own for "9" wins over the range).
            if re.search(r"[-,]", hnr):
                for part in re.split(r"[-,]", hnr):
                    if part:
                        derived[(key, part)].append(entry)
        for (key, part), entries in derived.items():
            if part not in self._streets[key]:
                self._streets[key][part].extend(entries)
        self._places = {normalize_street(o) for o in set(orte) if not is_blank(o)}
        self._keys = list(self._streets)
        self._squashed = [squash(k) for k in self._keys]
        self._folded = [squash(single_letter_umlauts(self._display[k])) for k in self._keys]
        # Street names without their generic ending, for abbreviations with a typo ("Roonst.").
        self._stems: dict[str, list[str]] = defaultdict(list)
        for key in self._keys:
            if key.endswith("strasse") and len(key) > len("strasse") + 2:
                self._stems[key[: -len("strasse")]].append(key)

    @classmethod
    def from_store(cls, store: object) -> AddressIndex:
        """Build the index from a region store's ``adressen`` layer."""
        return cls(store.read_layer("adressen"))  # type: ignore[attr-defined]

    def __len__(self) -> int:
        return sum(len(v) for v in self._streets.values())

    # -- lookup -----------------------------------------------------------------------------

    def lookup(
        self,
        strasse: object,
        hausnummer: object,
        plz: object = None,
        ort: object = None,
    ) -> GeocodeResult:
        """Geocode one address.

        Parameters
        ----------
        strasse
            Street name (any common spelling). If ``hausnummer`` is empty and the street text
            ends in a number (``"Römerstraße 5"``), it is split.
        hausnummer
            House number (``12``, ``12a``, ``12-14``).
        plz, ort
            Postcode and place; used to tell streets of the same name apart and to refuse
            addresses in another town.

        Returns
        -------
        GeocodeResult
        """
        if is_blank(hausnummer) and not is_blank(strasse):
            split_street, split_number, split_plz, split_ort = split_address(strasse)
            if split_number:
                strasse, hausnummer = split_street, split_number
                plz = plz if not is_blank(plz) else split_plz
                ort = ort if not is_blank(ort) else split_ort
        key = normalize_street(strasse)
        hnr = normalize_housenumber(hausnummer)
        wanted_plz = "" if is_blank(plz) else str(plz).strip().split(".")[0].zfill(5)
        wanted_ort = normalize_street(ort)
        if not key:
            return GeocodeResult(NICHT_GEFUNDEN, hinweis="Die Straße fehlt.")
        if not hnr:
            return GeocodeResult(
                NICHT_GEFUNDEN,
                hinweis="Die Hausnummer fehlt; ohne sie lässt sich die Adresse nicht genau "
                "verorten.",
            )
        if wanted_ort and not self._place_known(wanted_ort):
            return GeocodeResult(
                NICHT_GEFUNDEN,
                hinweis=f"Der Ort '{ort}' kommt in den Adressen der Region nicht vor; die Adresse "
                "liegt vermutlich außerhalb der Region.",
            )
        if key in self._streets:
            return self._on_street(key, hnr, wanted_plz, wanted_ort, score=100.0, fuzzy_note="")
        return self._fuzzy(key, str(strasse), hnr, wanted_plz, wanted_ort)

    def _place_known(self, wanted_ort: str) -> bool:
        if not self._places or wanted_ort in self._places:
            return True
        # "Aachen-Burtscheid" or "Achen" still name the region's place "Aachen".
        return any(
            place in wanted_ort or fuzz.ratio(place, wanted_ort) >= MIN_STREET_SCORE
            for place in self._places
        )

    def _fuzzy(
        self, key: str, original: str, hnr: str, wanted_plz: str, wanted_ort: str
    ) -> GeocodeResult:
        """Place an address whose street is not known exactly: a mistyped "Str." ending, or the
        one clearly most similar street that has the house number."""
        abbreviated = self._abbreviated_street(original)
        if abbreviated is not None:
            return self._on_street(
                abbreviated, hnr, wanted_plz, wanted_ort, score=MIN_STREET_SCORE,
                fuzzy_note=f"Abkürzung gelesen als '{self._display[abbreviated]}' "
                f"(aus '{original}').",
            )
        candidates = self._similar_streets(key, original)
        if not candidates or candidates[0][1] < MIN_STREET_SCORE:
            near = f" Ähnlichster Straßenname: '{self._display[candidates[0][0]]}'." if candidates else ""
            return GeocodeResult(
                NICHT_GEFUNDEN,
                hinweis=f"Die Straße '{original}' gibt es in den Adressen der Region nicht.{near}",
            )
        # Only candidates that have the house number (or a weaker form of it) can be right.
        usable = [
            (name, score)
            for name, score, _ in candidates
            if score >= MIN_STREET_SCORE
            and any(h in self._streets[name] for h in (hnr, *housenumber_fallbacks(hnr)))
        ]
        if not usable:
            closest = candidates[0][0]
            return GeocodeResult(
                NICHT_GEFUNDEN,
                hinweis=f"Die Straße '{original}' gibt es nicht; die ähnlichste, "
                f"'{self._display[closest]}', hat keine Hausnummer {hnr}.",
            )
        if len(usable) > 1 and usable[0][1] - usable[1][1] < MIN_SCORE_MARGIN:
            names = " oder ".join(f"'{self._display[n]}'" for n, _ in usable[:2])
            return GeocodeResult(
                MEHRDEUTIG,
                punktzahl=float(usable[0][1]),
                hinweis=f"Die Straße '{original}' ist nicht eindeutig: {names}.",
            )
        name, score = usable[0]
        note = (
            f"Straßenname unscharf zugeordnet: '{original}' → '{self._display[name]}' "
            f"(Ähnlichkeit {score:.0f} %)."
        )
        return self._on_street(name, hnr, wanted_plz, wanted_ort, score=float(score), fuzzy_note=note)

    def _similar_streets(self, key: str, original: str) -> list[tuple[str, float, int]]:
        """The five known streets most similar to the query: (key, score in %, position)."""
        # Compare with doubled letters collapsed: "Straee"/"Strae" for "Straße" and "Marktt"
        # for "Markt" are one slip of the finger, not two.
        # A second form spells umlauts with one letter (ü → u), so that a dropped or mistyped
        # umlaut ("Ltzowstraße", "Oppenhoffaölee") is one slip, too. Only letters the user typed
        # as umlauts are folded: "Roens" stays "roens" and cannot become "Rons".
        scores: dict[int, float] = {}
        for query, choices in ((squash(key), self._squashed),
                               (squash(single_letter_umlauts(original)), self._folded)):
            for _, score, pos in process.extract(
                query,
                choices,
                scorer=OSA.normalized_similarity,
                processor=None,
                limit=5,
                score_cutoff=(MIN_STREET_SCORE - 15) / 100,
            ):
                scores[pos] = max(scores.get(pos, 0.0), score * 100)
        return sorted(((self._keys[pos], score, pos) for pos, score in scores.items()),
                            key=lambda c: -c[1])[:5]

    def _abbreviated_street(self, original: str) -> str | None:
        """A mistyped "Str." ending ("Roonst.", "Kaisersr.", "Pontstrr.") on a known stem."""
        key = normalize_street(original)
        found = set()
        for cut in range(max(3, len(key) - 4), len(key)):
            stem, ending = key[:cut], key[cut:]
            if stem in self._stems and len(ending) >= 2 and OSA.distance(ending, "str") <= 1:
                found.update(self._stems[stem])
        return found.pop() if len(found) == 1 else None

    def _on_street(
        self,
        key: str,
        hnr: str,
        wanted_plz: str,
        wanted_ort: str,
        *,
        score: float,
        fuzzy_note: str,
    ) -> GeocodeResult:
        numbers = self._streets[key]
        status = EXAKT if not fuzzy_note else UNSCHARF
        notes = [fuzzy_note] if fuzzy_note else []
        entries = numbers.get(hnr)
        if not entries:
            for weaker in housenumber_fallbacks(hnr):
                if weaker in numbers:
                    entries = numbers[weaker]
                    notes.append(f"Hausnummer {hnr} nicht gefunden, {weaker} verwendet.")
                    status = OHNE_ZUSATZ if status == EXAKT else status
                    score -= 5
                    break
        if not entries:
            return self._interpolate(key, hnr, score, notes)
        chosen = self._choose(entries, wanted_plz, wanted_ort)
        if chosen is None:
            return GeocodeResult(
                MEHRDEUTIG,
                punktzahl=score,
                hinweis=f"'{self._display[key]} {hnr}' gibt es mehrmals an verschiedenen Orten; "
                "geben Sie die Postleitzahl an.",
            )
        entry, plz_note = chosen
        if plz_note:
            notes.append(plz_note)
            score -= 5
        return GeocodeResult(
            status,
            entry.x,
            entry.y,
            punktzahl=max(0.0, score),
            treffer=_label(entry),
            hinweis=" ".join(notes),
            strasse=self._display[key],
        )

    @staticmethod
    def _choose(
        entries: list[_Entry], wanted_plz: str, wanted_ort: str
    ) -> tuple[_Entry, str] | None:
        pool = entries
        if wanted_ort:
            same_place = [e for e in pool if not e.ort or normalize_street(e.ort) == wanted_ort]
            pool = same_place or pool
        if wanted_plz:
            same = [e for e in pool if e.plz == wanted_plz]
            if same:
                pool = same
        xs = np.array([e.x for e in pool])
        ys = np.array([e.y for e in pool])
        if np.hypot(xs - xs.mean(), ys - ys.mean()).max() > SAME_PLACE_M:
            return None
        entry = _Entry(float(xs.mean()), float(ys.mean()), pool[0].plz, pool[0].ort, pool[0].label)
        known = {e.plz for e in pool if e.plz}
        if wanted_plz and known and wanted_plz not in known:
            return entry, (
                f"Die Postleitzahl {wanted_plz} passt nicht zur Adresse (dort: "
                f"{', '.join(sorted(known))})."
            )
        return entry, ""

    def _interpolate(self, key: str, hnr: str, score: float, notes: list[str]) -> GeocodeResult:
        wanted = _leading_int(hnr)
        numbered = [
            (n, entries)
            for n, entries in ((_leading_int(h), e) for h, e in self._streets[key].items()
                               if re.fullmatch(r"\d+", h))
            if n is not None
        ]
        display = self._display[key]
        if wanted is None or not numbered:
            return GeocodeResult(
                NICHT_GEFUNDEN,
                hinweis=" ".join([*notes, f"'{display}' hat keine Hausnummer {hnr}."]).strip(),
            )
        same_side = [(n, e) for n, e in numbered if n % 2 == wanted % 2] or numbered
        below = max(((n, e) for n, e in same_side if n < wanted), default=None, key=lambda t: t[0])
        above = min(((n, e) for n, e in same_side if n > wanted), default=None, key=lambda t: t[0])
        if below is None or above is None or above[0] - below[0] > MAX_INTERPOLATION_GAP:
            return GeocodeResult(
                NICHT_GEFUNDEN,
                hinweis=" ".join(
                    [*notes, f"'{display}' hat keine Hausnummer {hnr} und keine nahen "
                     "Nachbarnummern auf derselben Straßenseite."]
                ).strip(),
            )
        (n0, e0), (n1, e1) = below, above
        p0 = np.mean([[e.x, e.y] for e in e0], axis=0)
        p1 = np.mean([[e.x, e.y] for e in e1], axis=0)
        if float(np.hypot(*(p1 - p0))) > 2 * SAME_PLACE_M * (n1 - n0):
            return GeocodeResult(
                NICHT_GEFUNDEN,
                hinweis=" ".join(
                    [*notes, f"'{display}' hat keine Hausnummer {hnr}; die Nachbarnummern liegen "
                     "zu weit auseinander, um dazwischen zu schätzen."]
                ).strip(),
            )
        t = (wanted - n0) / (n1 - n0)
        x, y = p0 + t * (p1 - p0)
        notes.append(
            f"Hausnummer {hnr} nicht im Adressbestand: zwischen Nr. {n0} und Nr. {n1} geschätzt."
        )
        return GeocodeResult(
            INTERPOLIERT,
            float(x),
            float(y),
            punktzahl=max(0.0, score - 15),
            treffer=f"{display} {hnr} (zwischen {n0} und {n1})",
            hinweis=" ".join(notes),
            strasse=display,
        )

    # -- tables -------------------------------------------------------------------------------

    def geocode_frame(
        self,
        frame: pd.DataFrame,
        *,
        strasse: str = "strasse",
        hausnummer: str = "hausnummer",
        plz: str = "plz",
        ort: str = "ort",
    ) -> pd.DataFrame:
        """Geocode every row of a table.

        Parameters
        ----------
        frame
            Table with address columns (missing ``plz``/``ort`` columns are fine).
        strasse, hausnummer, plz, ort
            Column names.

        Returns
        -------
        pandas.DataFrame
            Indexed like ``frame``: ``status``, ``x``, ``y``, ``punktzahl``, ``treffer``,
            ``hinweis``.
        """

        def column(name: str) -> Iterable[object]:
            return frame[name].to_numpy(dtype=object) if name in frame else [None] * len(frame)

        results = [
            self.lookup(s, h, p, o)
            for s, h, p, o in zip(
                column(strasse), column(hausnummer), column(plz), column(ort), strict=True
            )
        ]
        return pd.DataFrame(
            {
                "status": [r.status for r in results],
                "x": [r.x for r in results],
                "y": [r.y for r in results],
                "punktzahl": [r.punktzahl for r in results],
                "treffer": [r.treffer for r in results],
                "hinweis": [r.hinweis for r in results],
            },
            index=frame.index,
        )


def _label(entry: _Entry) -> str:
    tail = " ".join(p for p in (entry.plz, entry.ort) if p)
    return f"{entry.label}, {tail}" if tail else entry.label
