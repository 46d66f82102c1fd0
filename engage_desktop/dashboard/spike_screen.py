"""A fast screen for the spike detector: which buckets could spike at all.

``spikes.detect_spikes`` scores a bucket against the mean and spread of the usable
comparable buckets before it. Scoring every bucket one by one with small numpy
calls took most of a back-test's time (and 25 s of the test suite). Here a whole
season phase (every 24th hour, say) is scored at once from running sums; only the
few buckets that come near the thresholds are then scored exactly, in order, by the
detector itself, so its answers do not change by a single bit.
"""

from __future__ import annotations

import numpy as np

#: How far below the thresholds a bucket still counts as a candidate. The running sums
#: are exact for counts, but the spread from them (E[x²] − mean²) can lose a few digits
#: to cancellation; anything this close is scored exactly by the detector.
SLACK = 1e-3


def phase_candidates(
    x: np.ndarray,
    usable: np.ndarray,
    start: int,
    window: int,
    need: int,
    z: float,
    min_count: float,
    min_ratio: float,
) -> np.ndarray:
    """Positions ``>= start`` of one phase's series that might spike.

    Args:
        x: The phase's counts, oldest first (``values[phase::season]``).
        usable: Which of them may be in a baseline (spikes are left out).
        start: First position to screen.
        window: Comparable earlier positions in each baseline.
        need: Fewest usable earlier positions for a baseline.
        z: Score threshold.
        min_count: Smallest count that can spike.
        min_ratio: Smallest count, as a multiple of the baseline, that can spike.

    Returns:
        Ascending positions that pass the thresholds with ``SLACK`` to spare.
    """
    u = usable.astype(float)
    zero = np.zeros(1)
    n_sum = np.concatenate((zero, np.cumsum(u)))
    x_sum = np.concatenate((zero, np.cumsum(x * u)))
    sq_sum = np.concatenate((zero, np.cumsum(x * x * u)))
    j = np.arange(start, len(x))
    lo = np.maximum(j - window, 0)
    n = n_sum[j] - n_sum[lo]
    ok = n >= need
    n_safe = np.where(ok, n, 1.0)
    mean = (x_sum[j] - x_sum[lo]) / n_safe
    var = np.maximum((sq_sum[j] - sq_sum[lo]) / n_safe - mean * mean, 0.0)
    scale = np.maximum(np.maximum(np.sqrt(var), np.sqrt(np.maximum(mean, 0.0))), 1.0)
    score = (x[j] - mean) / scale
    floor = np.maximum(min_count, min_ratio * mean)
    near = ok & (score >= z - SLACK * (1 + abs(z))) & (x[j] >= floor - SLACK * (1 + floor))
    return j[near]
