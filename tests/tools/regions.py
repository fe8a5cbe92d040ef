"""Variants of a region configuration for tests of bad configurations and sources."""

from __future__ import annotations

from pathlib import Path

from layers import settings

__all__ = ["AACHEN_TOML", "config_variant"]

AACHEN_TOML = settings.regions_dir / "aachen.toml"


def config_variant(tmp_path: Path, **replace: str) -> Path:
    """Write a variant of the Aachen config with some lines replaced.

    Parameters
    ----------
    tmp_path
        Folder to write ``variante.toml`` into.
    **replace
        Text to replace → replacement; every key must occur in the config.

    Returns
    -------
    pathlib.Path
        The written file.
    """
    text = AACHEN_TOML.read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / "variante.toml"
    path.write_text(text, encoding="utf-8")
    return path
