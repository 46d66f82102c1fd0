"""The spike detector on synthetic series with known spikes: exact cases and figures."""

from __future__ import annotations

import numpy as np
import pytest

from engage_desktop.dashboard.spike_eval import evaluate, synthetic_series
from engage_desktop.dashboard.spikes import detect_spikes, group_episodes


def test_one_known_spike_on_a_flat_series_is_found_exactly():
    rng = np.random.default_rng(3)
    values = rng.poisson(10, 24 * 30).astype(float)
    values[24 * 20 + 14] = 80  # 14:00 on day 20
    spikes = detect_spikes(values, window=14, z=6, min_count=10, season=24, min_ratio=3)
    assert [s.index for s in spikes] == [24 * 20 + 14]
    assert spikes[0].baseline == np.mean(values[24 * 6 + 14 : 24 * 20 : 24])


def test_no_spike_before_the_baseline_has_history():
    values = np.ones(24 * 10)
    values[24 * 3] = 500  # only three earlier days at that hour
    assert detect_spikes(values, window=14, z=6, min_count=10, season=24) == []


def test_a_spike_does_not_raise_its_own_bar():
    # Daily buckets: a two-day incident; the second day is compared with the quiet
    # days before the incident, not with the first incident day.
    values = np.array([100.0] * 20 + [900, 850] + [100] * 5)
    values[:20] += np.tile([5, -5], 10)
    spikes = detect_spikes(values, window=14, z=6, min_count=10, min_ratio=3)
    assert [s.index for s in spikes] == [20, 21]
    # Day 21's window is days 7–20 without day 20 (it spiked): quiet days only.
    assert spikes[1].baseline == pytest.approx(values[7:20].mean())


def test_consecutive_buckets_form_one_episode():
    values = np.full(24 * 30, 20.0) + np.tile([0, 2, -2, 1], 24 * 30 // 4)
    values[24 * 25 + 14 : 24 * 25 + 18] = [200, 260, 0, 120]  # one quiet hour inside
    values[24 * 28 + 9] = 150
    groups = group_episodes(detect_spikes(values, 14, 6, 10, 24, 3))
    assert [[s.index for s in g] for g in groups] == [
        [24 * 25 + 14, 24 * 25 + 15, 24 * 25 + 17],
        [24 * 28 + 9],
    ]


def test_synthetic_series_put_spikes_where_they_say():
    values, starts = synthetic_series(5, days=40, per_day=400, spikes=2, size=6)
    assert len(starts) == 2 and all(s >= 15 * 24 for s in starts)
    for s in starts:
        assert values[s] > 2 * np.median(values[s - 24 * 7 : s : 24])


def test_precision_and_recall_on_known_spikes():
    """Figures for the README; see benchmarks/spike_detector.py for the full table."""
    figures = {
        (per_day, size): evaluate(range(40), per_day=per_day, size=size)
        for per_day in (100, 400, 5000)
        for size in (3.0, 6.0)
    }
    for (per_day, size), ev in figures.items():
        print(
            f"{per_day}/day, burst {size:g} average hours: precision {ev.precision:.3f}, "
            f"recall {ev.recall:.3f}"
        )
        assert ev.precision >= 0.95, (per_day, size, ev)
    assert figures[(400, 3.0)].recall >= 0.95
    assert figures[(100, 6.0)].recall >= 0.95
    assert figures[(5000, 3.0)].recall >= 0.95
    # Series without injected spikes: false alarms are rare.
    quiet = evaluate(range(40), per_day=400, spikes=0)
    assert quiet.injected == 0 and quiet.false_alarms <= 2
