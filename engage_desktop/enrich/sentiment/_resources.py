"""Where the sentiment engine finds its shipped files (the VADER lexicon)."""

from __future__ import annotations

from pathlib import Path

from engage_desktop.resources import resources_dir

#: Name of the lexicon file inside ``resources/vader``.
LEXICON_NAME = "vader_lexicon.txt"

__all__ = ["LEXICON_NAME", "lexicon_path", "resources_dir", "vader_dir"]


def vader_dir() -> Path:
    """Return the folder with the VADER lexicon, its licence and provenance note."""
    return resources_dir() / "vader"


def lexicon_path() -> Path:
    """Return the path of the shipped VADER lexicon file."""
    return vader_dir() / LEXICON_NAME
