"""Logging for Sozialraum-Atlas: one named logger, configured once."""

from __future__ import annotations

import logging

from layers import settings

__all__ = ["LOGGER_NAME", "get_logger"]

LOGGER_NAME = "sozialraum"


def get_logger(name: str | None = None) -> logging.Logger:
    """Return the project logger or one of its children.

    Parameters
    ----------
    name
        Suffix of a child logger (e.g. ``"build"`` gives ``sozialraum.build``).

    Returns
    -------
    logging.Logger
    """
    logger = logging.getLogger(LOGGER_NAME if name is None else f"{LOGGER_NAME}.{name}")
    root = logging.getLogger(LOGGER_NAME)
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
        root.setLevel(settings.log_level)
        root.propagate = False
    return logger
