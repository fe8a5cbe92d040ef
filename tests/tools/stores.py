"""The state of a region store as bytes: both files (derived and user store, with its WAL)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

__all__ = ["fingerprint"]


def _file(path: Path) -> str:
    if not path.exists() or path.name.endswith("-wal") and not path.stat().st_size:
        return "fehlt"  # an empty WAL holds nothing
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fingerprint(store: Any) -> str:
    """Hash of everything a store holds: ``<name>.gpkg``, ``<name>.nutzer.gpkg`` and its WAL.

    Equal fingerprints before and after a refused import mean nothing was stored in either file.
    """
    user = Path(store.user_path)
    return "|".join([_file(Path(store.path)), _file(user), _file(Path(str(user) + "-wal"))])
