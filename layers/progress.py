"""Progress reporting that works on the terminal (tqdm) and in the app (a callback)."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType

from tqdm import tqdm

from layers import settings

__all__ = ["ProgressCallback", "Steps"]

ProgressCallback = Callable[[float, str], None]


class Steps:
    """Report progress through a fixed number of named steps.

    Parameters
    ----------
    total
        Number of steps.
    title
        Shown before the bar.
    callback
        Called with ``(fraction_done, label)``; the app passes ``st.progress``-updating code.
        Without a callback a tqdm bar is shown on the terminal (unless progress is switched off
        in :mod:`layers.settings`).
    """

    def __init__(self, total: int, title: str, callback: ProgressCallback | None = None) -> None:
        self.total = total
        self.done = 0
        self.callback = callback
        self.bar = (
            tqdm(total=total, desc=title, unit="Schritt", leave=True)
            if callback is None and settings.show_progress
            else None
        )

    def step(self, label: str) -> None:
        """Announce the step that starts now (the previous one is complete)."""
        if self.bar is not None:
            self.bar.set_postfix_str(label)
        if self.callback is not None:
            self.callback(self.done / self.total, label)

    def advance(self) -> None:
        """Mark the current step as done."""
        self.done += 1
        if self.bar is not None:
            self.bar.update(1)
        if self.callback is not None:
            self.callback(min(1.0, self.done / self.total), "")

    def __enter__(self) -> Steps:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.bar is not None:
            self.bar.close()
