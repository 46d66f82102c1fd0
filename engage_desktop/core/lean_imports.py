"""Leave out imports that a process never uses (start-up time of fetching processes).

A one-shot ``engage-desktop fetch`` counts its start-up, and each parse worker pays
for what it imports, so two imports that nothing in a fetch uses are skipped:

* **pandas** (~0.5 s of CPU in a fresh process): pyarrow imports it the first time
  it converts a Python list, only to ask whether the list is a pandas object.
  :func:`skip_pandas_probe` lets pyarrow ask while pandas cannot be imported, so it
  remembers "no pandas" and never asks again. A later ``import pandas`` by anyone
  still works and tells pyarrow at once (:class:`_PandasArrival`), so pandas
  objects handed to pyarrow afterwards convert exactly as before.
* **the httpx command-line client** (``httpx._main``, which imports click, rich and
  pygments when they are installed): ``sources/http.py`` imports httpx inside
  :func:`refusing` ``("httpx._main")``; ``httpx.main`` then only says the CLI is not
  available. No code of ours runs it.

The import hook :func:`refusing` installs is process-wide while it lasts: refusing
pandas waits for a process with a single thread (start-up); refusing ``httpx._main``
can only affect another thread importing that very module.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
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


class _PandasArrival(importlib.abc.MetaPathFinder):
    """On the first real ``import pandas``, make pyarrow see it (then step aside)."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != "pandas":
            return None
        _remove_finder(self)
        spec = importlib.util.find_spec("pandas")  # the real one, from the other finders
        if spec is None or spec.loader is None:
            return spec
        spec.loader = _TellPyarrow(spec.loader)
        return spec


class _TellPyarrow(importlib.abc.Loader):
    """Loads pandas with its own loader, then has pyarrow import it (already loaded)."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self.loader = loader

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        self.loader.exec_module(module)  # type: ignore[union-attr]
        import pyarrow.lib

        # Reading ``pd`` makes pyarrow's shim import pandas again (a dict look-up now)
        # and turn its pandas support back on.
        pyarrow.lib._pandas_api.pd  # noqa: B018


def _remove_finder(finder: object) -> None:
    with suppress(ValueError):  # another thread's import took it out first
        sys.meta_path.remove(finder)  # type: ignore[arg-type]


def skip_pandas_probe(*, other_threads: bool = False) -> bool:
    """Tell pyarrow now, cheaply, that pandas is absent (see the module docstring).

    Args:
        other_threads: Do it even though other threads run. Only for a process that
            never imports pandas itself (the window): a thread importing pandas at
            that very moment would fail. The window's backfill thread does it before
            its first Arrow table, so importing pandas (~0.5 s of CPU, long stretches
            of it holding the GIL) never stalls the GUI thread.

    Returns:
        True when pyarrow was told; False when pandas is already imported, or the
        process already runs other threads (then nothing is done).
    """
    if "pandas" in sys.modules or (threading.active_count() > 1 and not other_threads):
        return False
    import pyarrow as pa

    with refusing("pandas"):
        pa.array([0])  # pyarrow's one question about pandas is asked here
    if not any(isinstance(f, _PandasArrival) for f in sys.meta_path):
        sys.meta_path.insert(0, _PandasArrival())
    return "pandas" not in sys.modules
