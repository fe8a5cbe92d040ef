"""Which offers exist on a day: the one rule of validity in time (``gueltig_von``/``gueltig_bis``)."""

from __future__ import annotations

from datetime import date
from typing import TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd

__all__ = ["active_services"]

Frame = TypeVar("Frame", pd.DataFrame, gpd.GeoDataFrame)


def active_services(services: Frame, stichtag: date | str | None = None) -> Frame:
    """Offers valid on a day (default today): started and not retired.

    This is the one rule for "which offers exist on a day"; every analysis, page, export and
    report takes its offers from here (through :meth:`planungsraeume.region.Region.offers`).

    Parameters
    ----------
    services
        The ``angebote`` layer (or some of its columns); without ``gueltig_von``/``gueltig_bis``
        every offer counts as active.
    stichtag
        Reference day.

    Returns
    -------
    geopandas.GeoDataFrame or pandas.DataFrame
        A filtered copy (the input is not changed).
    """
    day = (stichtag.isoformat() if isinstance(stichtag, date) else stichtag) or date.today().isoformat()
    keep = np.ones(len(services), dtype=bool)
    if "gueltig_von" in services.columns:
        start = services["gueltig_von"].astype("string").fillna("")
        keep &= ((start == "") | (start <= day)).to_numpy(dtype=bool)
    if "gueltig_bis" in services.columns:
        end = services["gueltig_bis"].astype("string").fillna("")
        keep &= ((end == "") | (end >= day)).to_numpy(dtype=bool)
    return services[keep].copy()
