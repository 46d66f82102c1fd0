"""One task per archive partition on Dask, with progress from the scheduler and cancel.

The archive's files become a Dask DataFrame with one partition per file (the file's
path and whatever the task needs about it); ``map_partitions`` runs a function of
this package on each. The scheduler reports partitions as they finish; a cancel,
an error or Ctrl+C cancels what is still queued or running.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Progress = Callable[[int, int], None]
IsCancelled = Callable[[], bool]


class RunCancelled(Exception):
    """The run was cancelled before it finished."""


def run_partitions(
    client: Any,
    table: Any,
    func: Callable[..., Any],
    *args: Any,
    meta: Any,
    progress: Progress | None = None,
    is_cancelled: IsCancelled | None = None,
    retries: int = 1,
) -> Any:
    """Run ``func(partition, *args)`` on each row-partition of ``table``; concat the results.

    Args:
        client: A ``distributed.Client``.
        table: pandas DataFrame, one row per archive file.
        func: Module-level function (it is pickled to the workers).
        *args: Extra arguments (large ones should be scattered first).
        meta: An empty DataFrame of the results' columns and types.
        progress: ``progress(done, total)`` as partitions finish.
        is_cancelled: Polled twice a second while waiting.
        retries: Extra attempts for a partition whose task raised.

    Raises:
        RunCancelled: ``is_cancelled`` said so.
        PartitionFailed: A partition raised on every attempt.
    """
    import dask.dataframe as dd
    import pandas as pd
    from distributed import futures_of, wait

    report = progress or (lambda done, total: None)
    cancelled = is_cancelled or (lambda: False)
    parts = dd.from_pandas(table, npartitions=len(table), sort=False)
    result = parts.map_partitions(func, *args, meta=meta)
    futures = futures_of(client.persist(result, retries=retries))
    try:
        pending = set(futures)
        report(0, len(futures))
        while pending:
            if cancelled():
                raise RunCancelled("cancelled")
            try:
                done, pending = wait(pending, timeout=0.5, return_when="FIRST_COMPLETED")
            except TimeoutError:  # nothing finished in this half second
                continue
            for future in done:
                if future.status == "error":
                    raise PartitionFailed(str(future.exception()))
            report(len(futures) - len(pending), len(futures))
        return pd.concat(client.gather(futures), ignore_index=True)
    except BaseException:
        client.cancel(futures)
        raise


class PartitionFailed(Exception):
    """A partition's task raised (after its retries)."""
