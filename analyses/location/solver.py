"""The MILP solver of the location models: PuLP's bundled CBC (no network, no licence)."""

from __future__ import annotations

import numpy as np

from layers.errors import AnalysisError

__all__ = ["cbc_solver", "solution_state"]


def cbc_solver(time_limit_s: float) -> object:
    """PuLP's CBC without output, stopped after ``time_limit_s`` (at least 1 s)."""
    import pulp

    return pulp.PULP_CBC_CMD(msg=False, timeLimit=max(1, int(np.ceil(time_limit_s))))


def solution_state(problem: object) -> tuple[bool, str]:
    """Whether a solved PuLP problem is proven optimal, and its state in German.

    Raises
    ------
    AnalysisError
        If the solver found no solution at all.
    """
    import pulp

    status = int(getattr(problem, "status", 0))
    sol_status = int(getattr(problem, "sol_status", status))
    if status == pulp.LpStatusOptimal and sol_status == pulp.LpSolutionOptimal:
        return True, "optimal"
    if sol_status == pulp.LpSolutionIntegerFeasible or status == pulp.LpStatusOptimal:
        return False, "Zeitlimit erreicht, beste gefundene Lösung (nicht bewiesen optimal)"
    raise AnalysisError(
        f"Der Optimierer hat keine Lösung gefunden (Status {pulp.LpStatus.get(status, status)}).",
        hinweis="Erhöhen Sie das Zeitlimit oder verringern Sie die Zahl der Kandidaten.",
    )
