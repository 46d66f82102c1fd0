"""Where the shipped resources (lexicon, demo feeds, icons, style) live.

In a source checkout they sit in the top-level ``resources/`` folder; an installed
wheel carries the same folder as ``engage_desktop/resources`` (hatch force-include).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path


@cache
def resources_dir() -> Path:
    """Return the folder that holds the shipped resources.

    Raises:
        FileNotFoundError: Neither the installed nor the checkout folder exists.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "resources", here.parent / "resources"):
        if (candidate / "README.md").is_file():
            return candidate
    raise FileNotFoundError(
        "engage_desktop's resources folder is missing; reinstall engage-desktop"
    )


def resource(*parts: str) -> Path:
    """Return the path of one shipped resource, e.g. ``resource("demo", "blog.xml")``."""
    return resources_dir().joinpath(*parts)
