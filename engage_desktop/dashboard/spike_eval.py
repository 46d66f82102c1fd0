"""Precision and recall of the spike detector on synthetic series with known spikes.

Used by the tests and by ``benchmarks/spike_detector.py``: hourly Poisson counts
with a daily rhythm and day-to-day noise, with spikes of known size injected at
known hours. A known spike counts as found when an episode starts within two
buckets of it; an episode that matches no injected spike is a false alarm.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engage_desktop.dashboard.spikes import detect_spikes, group_episodes

HOURLY_SHAPE = np.array(
    [2, 1, 1, 1, 1, 2, 4, 7, 9, 10, 10, 10, 11, 11, 10, 10, 10, 10, 11, 12, 12, 10, 7, 4], float
)


@dataclass(frozen=True)
class Evaluation:
    """Detection figures over a set of synthetic series."""

    injected: int
    found: int
    episodes: int
    false_alarms: int

    @property
    def recall(self) -> float:
        """Share of injected spikes that were found."""
        return self.found / self.injected if self.injected else 1.0

    @property
    def precision(self) -> float:
        """Share of episodes that match an injected spike."""
        return (self.episodes - self.false_alarms) / self.episodes if self.episodes else 1.0


def synthetic_series(
    seed: int, days: int = 60, per_day: float = 400.0, spikes: int = 3, size: float = 6.0
) -> tuple[np.ndarray, list[int]]:
    """Hourly counts and the hours where spikes start.

    A spike adds ``size`` times an average hour's volume (``per_day / 24``) to its
    first hour, decaying by 40 % an hour over one to three hours, as an incident
    adds a burst of posts whatever the time of day. None starts in the first 15
    days (the baseline needs history).
    """
    rng = np.random.default_rng(seed)
    shape = HOURLY_SHAPE / HOURLY_SHAPE.sum()
    day_level = per_day * rng.gamma(20.0, 1 / 20.0, size=days)  # ±22 % day to day
    mean = (day_level[:, None] * shape[None, :]).ravel()
    starts = sorted(
        int(s) for s in rng.choice(np.arange(15 * 24, days * 24 - 4, 24 * 3), spikes, replace=False)
    )
    for start in starts:
        length = int(rng.integers(1, 4))
        for k in range(length):
            mean[start + k] += size * per_day / 24 * 0.6**k
    return rng.poisson(mean).astype(float), starts


def evaluate(
    seeds: range, *, z: float = 6.0, min_ratio: float = 3.0, min_count: int = 10, **series
) -> Evaluation:
    """Run the detector (hourly, 14-day same-hour baseline) over synthetic series."""
    injected = found = episodes = false = 0
    for seed in seeds:
        values, starts = synthetic_series(seed, **series)
        groups = group_episodes(detect_spikes(values, 14, z, min_count, 24, min_ratio))
        firsts = [g[0].index for g in groups]
        injected += len(starts)
        found += sum(any(abs(f - s) <= 2 for f in firsts) for s in starts)
        episodes += len(groups)
        false += sum(not any(abs(f - s) <= 2 for s in starts) for f in firsts)
    return Evaluation(injected, found, episodes, false)
