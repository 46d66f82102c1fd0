"""Bulk work over an archive on Dask: re-scoring and the dashboard's cube.

The same Python code as the desktop app runs on every worker (the scorer of
``engage_desktop.enrich``, the cube SQL of ``engage_desktop.dashboard.cube``), one
task per Parquet partition, on a LocalCluster (the laptop's cores) or any Dask
scheduler (``tcp://HOST:PORT``: a managed service, Kubernetes, YARN). Dask is an
optional extra: ``pip install 'engage-desktop[cluster]'``, with pyarrow, which Dask's
dataframes need and the app itself leaves out; :func:`require_dask` says so in one
line when either is missing. Qt-free; only this package imports Dask.
"""

from __future__ import annotations

from engage_desktop.core.errors import EngageError

INSTALL_HINT = "pip install 'engage-desktop[cluster]'"


class ClusterUnavailable(EngageError):
    """Dask is not installed, or the scheduler cannot be reached."""


def require_dask() -> None:
    """Fail with one clear line when the ``cluster`` extra is not installed.

    Raises:
        ClusterUnavailable: dask, distributed or pyarrow cannot be imported.
    """
    try:
        import dask.dataframe  # noqa: F401
        import distributed  # noqa: F401
        import pyarrow  # noqa: F401  (Dask's dataframes; not part of the app or its bundle)
    except ImportError as exc:
        raise ClusterUnavailable(
            f"this command needs Dask and pyarrow ({exc.name} is not installed): {INSTALL_HINT}"
        ) from None
