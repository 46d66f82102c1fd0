"""The run timeline (ENGAGE_DESKTOP_TIMELINE): first and last marks, and its report."""

from __future__ import annotations

from engage_desktop.core import timeline


def test_marks_keep_the_first_or_the_last_occurrence_and_report_in_time_order(monkeypatch):
    monkeypatch.setattr(timeline, "ENABLED", True)
    monkeypatch.setattr(timeline, "MARKS", {})
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
    timeline.mark("first request")
    timeline.mark_last("last response")
    assert timeline.MARKS == {} and timeline.report(0.0) == []
