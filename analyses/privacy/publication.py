"""What may be shown about one selection of a release, and the check that an output came from it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import pandas as pd

from analyses.privacy.filters import BarrierFilter
from analyses.privacy.rule import PUBLISHED_MARK, DisclosureRule
from layers.errors import PrivacyError

__all__ = ["Publication", "require_published"]


@dataclass
class Publication:
    """Everything that may be shown or exported about the reports of one selection.

    Obtain it from :meth:`analyses.privacy.Release.publication` (or :func:`analyses.privacy.publish`).
    Every method returns a new frame whose values passed the rule; each frame carries the column
    ``geheimhaltung`` and ``frame.attrs`` entries with the rule and filter (for the internal mode
    also the reason and the person who asked).

    Attributes
    ----------
    rule, filter
        The disclosure rule and the selection.
    crs
        The region CRS.
    tables
        Published frames by name (use the accessors).
    region_total
        The region row.
    auswahl, jahr
        The release choice (``"alle"``, ``"kapitel:e1"`` …) and year, if it is one.
    """

    rule: DisclosureRule
    filter: BarrierFilter
    crs: Any
    tables: dict[str, pd.DataFrame]
    region_total: dict[str, Any]
    auswahl: str | None = None
    jahr: int | None = None

    def _finish(self, frame: pd.DataFrame, table: str) -> pd.DataFrame:
        frame = frame.copy()
        frame["geheimhaltung"] = self.rule.kennzeichnung
        frame.attrs[PUBLISHED_MARK] = self.rule.kennzeichnung
        frame.attrs["tabelle"] = table
        frame.attrs["filter"] = self.filter.beschreibung()
        frame.attrs["intern"] = self.rule.ist_intern
        if self.rule.ist_intern:
            frame.attrs["intern_begruendung"] = self.rule.begruendung
            frame.attrs["intern_angefordert_von"] = self.rule.angefordert_von
        return frame

    def gitter(self, resolution: int) -> gpd.GeoDataFrame:
        """Published grid cells at a resolution (only cells with a published value).

        Columns: ``gitter_id``, ``personen``, ``meldungen``, ``einwohner``, ``rate_je_1000``
        (persons per 1,000 inhabitants, from the published count), ``geheimhaltung``, geometry.
        A cell without reports and a cell below the minimum are both absent.
        """
        name = f"gitter_{int(resolution)}"
        if name not in self.tables:
            raise PrivacyError(
                f"Das {resolution}-m-Gitter ist in dieser Veröffentlichung nicht enthalten.",
                hinweis=f"Die Regel erlaubt die Gitterweiten {', '.join(map(str, self.rule.gitter))} m.",
            )
        return self._finish(self.tables[name], name)

    def planungsraeume(self) -> gpd.GeoDataFrame:
        """All planning areas; ``personen``/``meldungen``/rates are empty where not published.

        Columns: ``pr_id``, ``name``, ``veroeffentlicht``, ``personen``, ``meldungen``,
        ``einwohner``, ``rate_je_1000``, ``rate_eb_je_1000`` (empirical-Bayes smoothed),
        ``hinweis``, ``geheimhaltung``, geometry.
        """
        return self._finish(self.tables["planungsraum"], "planungsraum")

    def strassen(self) -> gpd.GeoDataFrame:
        """Published streets (reports within 25 m of a named street of the network)."""
        return self._finish(self.tables["strasse"], "strasse")

    def region(self) -> pd.DataFrame:
        """One row: the region total (empty values if not published)."""
        row = dict(self.region_total, filter=self.filter.beschreibung())
        return self._finish(pd.DataFrame([row]), "region")

    def icf_je_planungsraum(self, top: int | None = None) -> pd.DataFrame:
        """Published ICF codes per planning area, most frequent first (``rang``).

        Ranks come from the published values; equal values are ordered by the code.
        """
        frame = self.tables["planungsraum_icf"]
        if top is not None:
            frame = frame[frame["rang"] <= top]
        return self._finish(frame, "planungsraum_icf")

    def icf_region(self) -> pd.DataFrame:
        """Published ICF codes for the whole region (ranked by published value, then code)."""
        return self._finish(self.tables["region_icf"], "region_icf")

    def jahre_je_planungsraum(self) -> pd.DataFrame:
        """Persons and reports per planning area and year (the release's years; empty where not
        published)."""
        return self._finish(self.tables["planungsraum_jahr"], "planungsraum_jahr")

    def jahre_region(self) -> pd.DataFrame:
        """Persons and reports per year for the whole region (empty where not published)."""
        return self._finish(self.tables["region_jahr"], "region_jahr")

    def regel_tabelle(self) -> pd.DataFrame:
        """The rule as a one-row table (exported as ``geheimhaltung_regel``)."""
        from analyses.privacy.texts import rule_text

        entry = self.rule.audit_eintrag()
        return pd.DataFrame({
            "regel": [entry["regel"]], "filter": [self.filter.beschreibung()],
            "modus": [entry["modus"]], "begruendung": [entry["begruendung"]],
            "angefordert_von": [entry["angefordert_von"]],
            "beschreibung": [rule_text(self.rule)],
        })

    def export(self, path: Any) -> list[str]:
        """Write every published table into a GeoPackage (for QGIS), with the rule as a table.

        Returns
        -------
        list of str
            Names of the layers written.
        """
        import pyogrio

        layers: dict[str, pd.DataFrame] = {"geheimhaltung_regel": self.regel_tabelle()}
        for resolution in self.rule.gitter:
            layers[f"barrieren_gitter_{resolution}m"] = self.gitter(resolution)
        layers["barrieren_planungsraeume"] = self.planungsraeume()
        layers["barrieren_strassen"] = self.strassen()
        layers["barrieren_region"] = self.region()
        layers["barrieren_icf_planungsraum"] = self.icf_je_planungsraum()
        layers["barrieren_icf_region"] = self.icf_region()
        layers["barrieren_jahre_planungsraum"] = self.jahre_je_planungsraum()
        layers["barrieren_jahre_region"] = self.jahre_region()
        written = []
        for name, frame in layers.items():
            out = frame if isinstance(frame, gpd.GeoDataFrame) else pd.DataFrame(frame)
            kwargs: dict[str, Any] = {}
            if isinstance(out, gpd.GeoDataFrame) and len(out) == 0:
                kwargs["geometry_type"] = "Unknown"
            pyogrio.write_dataframe(out, path, layer=name, driver="GPKG", **kwargs)
            written.append(name)
        return written


def require_published(frame: pd.DataFrame) -> str:
    """Raise unless ``frame`` came out of a :class:`Publication`; return its rule label.

    Functions that draw, smooth or export barrier figures call this first, so that raw report
    counts cannot reach an output by accident.
    """
    label = frame.attrs.get(PUBLISHED_MARK)
    if not label or "geheimhaltung" not in frame.columns:
        raise PrivacyError(
            "Diese Tabelle ist nicht durch die Geheimhaltung gegangen und darf nicht ausgegeben "
            "werden.",
            hinweis="Erzeugen Sie Werte zu Barrieremeldungen immer mit analyses.privacy "
            "(publish_release).",
        )
    return str(label)
