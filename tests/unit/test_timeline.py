"""The run timeline (ENGAGE_DESKTOP_TIMELINE): first and last marks, and its report."""

from __future__ import annotations

from engage_desktop.core import timeline


def test_marks_keep_the_first_or_the_last_occurrence_and_report_in_time_order(monkeypatch):
    monkeypatch.setattr(timeline, "ENABLED", True)
    monkeypatch.setattr(timeline, "MARKS", {})
    monkeypatch.setattr(timeline, "SPANS", {})
    clock = iter([1.0, 2.0, 3.0, 4.0, 5.0])
    monkeypatch.setattr(timeline.time, "perf_counter", lambda: next(clock))
    monkeypatch.setattr(timeline.time, "process_time", lambda: 0.5)
    timeline.mark("first response")  # 1.0
    timeline.mark_last("last response")  # 2.0
    timeline.mark("first response")  # ignored: the first one stays
    timeline.mark_last("last response")  # 3.0 replaces 2.0
    timeline.mark("workspace closed")  # 4.0
    lines = timeline.report(started=0.5)
    assert [line.split("  ")[-1] for line in lines] == [
        "first response", "last response", "workspace closed"
    ]  # fmt: skip
    assert lines[1].startswith("  2.500 s (+ 2.000)  cpu  0.500 s")


def test_marks_are_not_kept_when_the_timeline_is_off(monkeypatch):
    monkeypatch.setattr(timeline, "ENABLED", False)
    monkeypatch.setattr(timeline, "MARKS", {})
    monkeypatch.setattr(timeline, "SPANS", {})
    timeline.mark("first request")
    timeline.mark_last("last response")
    timeline.span("pid 7", 1.0, 2.0, 0.5)
    assert timeline.MARKS == {} and timeline.SPANS == {} and timeline.report(0.0) == []


def test_a_workers_jobs_report_its_busy_and_idle_time(monkeypatch):
    monkeypatch.setattr(timeline, "ENABLED", True)
    monkeypatch.setattr(timeline, "MARKS", {})
    monkeypatch.setattr(timeline, "SPANS", {})
    for start, end in ((1.2, 1.5), (1.0, 1.1), (1.6, 2.0)):  # arrive out of order
        timeline.span("pid 7", start, end, cpu=0.05)
    assert timeline.report(started=0.5) == [
        "worker pid 7: 3 jobs from 0.500 s to 1.500 s, 0.800 s in jobs (0.150 s CPU), "
        "idle between jobs 0.200 s (longest 0.100 s)"
    ]
