"""Turn an office-hour suggestion or a mobile-office plan into a stored scenario.

Each suggested host or stop becomes a ``neu`` edit (:class:`layers.szenarien.ScenarioEdit`) at
its place, with the service type chosen by the planner, step-free access as the host or stop has
it, and the weekly hours held there as capacity; the scenario is then compared before/after like
every other scenario (:func:`planungsraeume.versorgung.compare_on_network`, Szenarien page).
"""

from __future__ import annotations

from layers.szenarien import Scenario, ScenarioEdit
from planungsraeume.mobiles_buero import MobileOfficePlan
from planungsraeume.praesenz import OfficeHourPlan

__all__ = ["mobile_scenario", "office_hour_scenario"]


def office_hour_scenario(result: OfficeHourPlan, name: str, typ: str, *,
                         dauer_min: int = 120) -> Scenario:
    """A scenario opening the suggested office hours as new offers of ``typ``."""
    edits = tuple(
        ScenarioEdit("neu", typ=typ, name=f"Sprechstunde {result.traeger} in {row.name}",
                     x=float(row.geometry.x), y=float(row.geometry.y),
                     kapazitaet_std_woche=dauer_min / 60.0, stufenloser_zugang="ja")
        for row in result.vorschlaege.itertuples())
    text = (f"Sprechstunden-Vorschlag für {result.traeger}: "
            + "; ".join(f"{r.name} ({r.zeitfenster})" for r in result.vorschlaege.itertuples()))
    return Scenario(name=name, beschreibung=text, aenderungen=edits)


def mobile_scenario(plan: MobileOfficePlan, name: str, typ: str, *,
                    standzeit_min: float = 120.0) -> Scenario:
    """A scenario opening the mobile office's stops as new offers of ``typ`` (step-free unknown)."""
    edits = tuple(
        ScenarioEdit("neu", typ=typ, name=f"Mobiles Büro: {row.name}",
                     x=float(row.geometry.x), y=float(row.geometry.y),
                     kapazitaet_std_woche=standzeit_min / 60.0)
        for row in plan.plan.standorte.itertuples())
    days = ", ".join(f"{r.tag} {r.von}–{r.bis} {r.halt}" for r in plan.fahrplan.itertuples())
    return Scenario(name=name, beschreibung=f"Mobiles Büro ab {plan.depot[1]}: {days}",
                    aenderungen=edits)
