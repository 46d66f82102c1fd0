"""Mastodon catch-up: back to the cursor or 24 hours, and one tag on several instances."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from engage_desktop.core.progress import PlainState
from engage_desktop.listen.fetch import FetchOptions, run_fetch
from engage_desktop.listen.source_store import add_source, get_source
from engage_desktop.sources import mastodon
from engage_desktop.sources.base import SourceSpec
from engage_desktop.sources.http import HttpClient, HttpLimits
from tests.conftest import new_workspace
from tests.fakes.server import FakeServer, Reply

FAST = HttpLimits(host_delay=0.0, read_timeout=30.0)  # loopback on a busy CPU: never reached


class BusyTag(FakeServer):
    """``/api/v1/timelines/tag/nimbus``: one status a minute, newest first, paged
    with max_id / since_id (limit at most 40), as Mastodon pages."""

    def __init__(self, count: int, newest: datetime) -> None:
        super().__init__()
        self.newest = newest
        self.ids = list(range(5000, 5000 + count))
        self.calls: list[dict] = []

    def created(self, sid: int) -> datetime:
        return self.newest - timedelta(minutes=self.ids[-1] - sid)

    def route(self, method: str, path: str, headers, body, query: dict):
        if path != "/api/v1/timelines/tag/nimbus":
            raise Reply(404, {"error": "Record not found"})
        self.calls.append(query)
        found = sorted(self.ids, reverse=True)
        if "max_id" in query:
            found = [i for i in found if i < int(query["max_id"])]
        if "since_id" in query:
            found = [i for i in found if i > int(query["since_id"])]
        return [
            {
                "id": str(i),
                "url": f"{self.url}/@ann/{i}",
                "created_at": self.created(i).isoformat().replace("+00:00", "Z"),
                "content": f"<p>#nimbus status {i}</p>",
                "account": {"acct": "ann", "display_name": "Ann"},
            }
            for i in found[: min(int(query.get("limit", 20)), 40)]
        ]


def _spec(url: str, cursor: str | None, **config) -> SourceSpec:
    return SourceSpec(1, "mastodon", url, "t", "mastodon", cursor=cursor, config=config)


def test_a_busy_weekend_is_read_back_to_the_cursor():
    now = datetime.now(UTC)
    with BusyTag(count=1000, newest=now) as tag, HttpClient(FAST) as http:
        # 700 statuses since the cursor, all within the day: the old 10-page stop
        # (400 statuses) lost 300 of them; now every one comes back.
        cursor = str(tag.ids[299])
        outcome = mastodon.fetch(_spec(f"{tag.url}/tags/nimbus", cursor), http)
        assert len(outcome.items) == 700
        assert outcome.cursor == str(tag.ids[-1])
        assert len(tag.calls) == 18  # 17 full pages and the short one at the cursor


def test_catch_up_stops_after_24_hours_of_statuses():
    now = datetime.now(UTC)
    with BusyTag(count=3000, newest=now) as tag, HttpClient(FAST) as http:
        # The cursor is two days back: reading stops at the page crossing 24 hours.
        outcome = mastodon.fetch(_spec(f"{tag.url}/tags/nimbus", str(tag.ids[0])), http)
        oldest = min(i.published for i in outcome.items)
        assert now - oldest >= timedelta(hours=24)
        assert now - oldest < timedelta(hours=24, minutes=41)  # no more than a page past it
        assert len(outcome.items) < 1500


def test_one_tag_on_several_instances_keeps_a_cursor_each(tmp_path: Path):
    now = datetime.now(UTC)
    with (
        BusyTag(count=30, newest=now) as one,
        BusyTag(count=50, newest=now) as two,
        new_workspace(tmp_path / "m.engage") as ws,
    ):
        sid = add_source(
            ws, kind="mastodon", url=f"{one.url}/tags/nimbus", name="#nimbus",
            channel="mastodon", keep_all=True, config={"instances": [two.url]},
        )  # fmt: skip
        options = FetchOptions(limits=FAST, parse="thread")
        summary = run_fetch(PlainState(), ws, force=True, options=options)
        assert summary.new_mentions == 80
        cursor = json.loads(get_source(ws, sid)["cursor"])
        assert cursor == {one.url: str(one.ids[-1]), two.url: str(two.ids[-1])}
        # One instance down: the other is still read, and the health says which failed.
        two.ids.append(two.ids[-1] + 1)
        one.script("/api/v1/timelines/tag/nimbus", "503")
        summary = run_fetch(PlainState(), ws, force=True, options=options)
        assert summary.new_mentions == 1 and summary.failed == []
        config = json.loads(get_source(ws, sid)["config"])
        assert "not read this run" in config["note"] and "503" in config["note"]
        assert json.loads(get_source(ws, sid)["cursor"])[one.url] == str(one.ids[-1])


@pytest.mark.parametrize("cursor", [None, "12"])
def test_a_bare_cursor_is_the_first_instances(cursor):
    assert mastodon._cursors(cursor, "https://a.example") == (
        {"https://a.example": "12"} if cursor else {}
    )
