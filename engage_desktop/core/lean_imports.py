"""Leave out imports that a process never uses (start-up time of fetching processes).

A one-shot ``engage-desktop fetch`` counts its start-up, and each parse worker pays
for what it imports, so an import that nothing in a fetch uses is skipped:

* **the httpx command-line client** (``httpx._main``, which imports click, rich and
  pygments when they are installed): ``sources/http.py`` imports httpx inside
  :func:`refusing` ``("httpx._main")``; ``httpx.main`` then only says the CLI is not
  available. No code of ours runs it.

The import hook :func:`refusing` installs is process-wide while it lasts: refusing
``httpx._main`` can only affect another thread importing that very module.

(pandas was skipped here too while pyarrow, which probes for it, was in the app.)
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType


class _Refuse(importlib.abc.MetaPathFinder):
    """Makes the named modules (and their submodules) fail to import."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = tuple(names)

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if any(fullname == n or fullname.startswith(n + ".") for n in self.names):
            raise ModuleNotFoundError(f"{fullname} is left out of this process", name=fullname)
        return None


@contextmanager
def refusing(*names: str) -> Iterator[None]:
    """While inside, importing any of ``names`` raises ModuleNotFoundError."""
    finder = _Refuse(names)
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
