"""Connecting to a Dask scheduler, or starting a LocalCluster on this machine."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

from engage_desktop.cluster import ClusterUnavailable, require_dask


@contextlib.contextmanager
def dask_client(
    scheduler: str | None = None,
    *,
    workers: int | None = None,
    processes: bool = True,
    memory_limit: str = "1GiB",
) -> Iterator[Any]:
    """A ``distributed.Client`` for the duration of a block.

    Args:
        scheduler: ``tcp://HOST:PORT`` of a running scheduler; None starts a
            LocalCluster bound to 127.0.0.1 (nothing listens beyond this machine).
        workers: LocalCluster workers (default: one per core).
        processes: LocalCluster workers as processes (True: VADER is pure Python, so
            only processes use more than one core) or threads (tests, small runs).
        memory_limit: Per LocalCluster worker process; Dask spills, then pauses, near
            it. Thread workers (``processes=False``) get none: each would measure the
            whole host process (a test run, the app) against it, and once that process
            holds more than 80 % of the limit every worker pauses, so a scatter fails
            with "No valid workers found" and tasks wait forever.

    Raises:
        ClusterUnavailable: Dask is missing or the scheduler does not answer.
    """
    require_dask()
    import distributed

    cluster = None
    try:
        if scheduler:
            try:
                client = distributed.Client(scheduler, timeout="10s")
            except (OSError, TimeoutError) as exc:
                raise ClusterUnavailable(
                    f"cannot reach the Dask scheduler at {scheduler} ({exc}); "
                    "check the address, or leave out --scheduler to use this machine"
                ) from None
        else:
            cluster = distributed.LocalCluster(
                n_workers=workers or os.cpu_count() or 1,
                threads_per_worker=1,
                processes=processes,
                protocol="tcp://",
                host="127.0.0.1",
                scheduler_port=0,
                dashboard_address=None,
                memory_limit=memory_limit if processes else 0,
            )
            client = distributed.Client(cluster)
        try:
            yield client
        finally:
            client.close()
    finally:
        if cluster is not None:
            cluster.close()
