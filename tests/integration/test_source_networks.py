"""The new source kinds against loopback servers speaking each service's JSON.

Reddit, Discourse, Stack Exchange and Lemmy: paging back to the cursor, errors,
throttling and bad answers, each with health words a user can act on.
"""

from __future__ import annotations

import pytest

from engage_desktop.sources import discourse, lemmy, reddit, stackexchange
from engage_desktop.sources.base import SourceSpec
from engage_desktop.sources.http import FetchError, HttpClient, HttpLimits
from tests.conftest import new_workspace
from tests.fakes.networks import FakeDiscourse, FakeLemmy, FakeReddit, FakeStackExchange

FAST = HttpLimits(host_delay=0.0, read_timeout=30.0, connect_timeout=30.0)  # loopback, busy CPU


@pytest.fixture
def http():
    with HttpClient(FAST) as client:
        yield client


def _spec(kind: str, url: str, cursor: str | None = None, **config) -> SourceSpec:
    return SourceSpec(1, kind, url, "t", kind, cursor=cursor, config=config)


# -- Reddit --------------------------------------------------------------------------


def test_reddit_subreddit_search_pages_back_to_the_cursor(http):
    with FakeReddit(posts=250) as fake:
        url = reddit.search_url(fake.url, "HomeNetworking", "nimbus")
        first = reddit.fetch(_spec("reddit", url), http)
        # No cursor: one page of recent history, newest first, sent to the .json twin.
        assert len(first.items) == 100
        assert first.items[0].url == f"{fake.url}/r/HomeNetworking/comments/p0/post/"
        assert first.items[0].thread_id == "t3_p0" and first.items[0].score == 12
        assert first.items[0].text == "It drops the connection every night."
        path, query = fake.requests[0][1], fake.requests[0][2]
        assert path == "/r/HomeNetworking/search.json"
        assert "engage-desktop/" in query["User-Agent"]
        # 120 new posts since the cursor: two pages, stopping at the cursor.
        fake.posts = [
            {"id": f"n{i}", "created": reddit_time(first, -(i + 1)), "title": "new"}
            for i in range(120)
        ][::-1] + fake.posts
        fake.requests.clear()
        later = reddit.fetch(_spec("reddit", url, first.cursor), http)
        assert len(later.items) == 120
        assert len(fake.requests) == 2
        assert float(later.cursor) > float(first.cursor)


def reddit_time(outcome, steps: int):
    from datetime import UTC, datetime, timedelta

    return datetime.fromtimestamp(float(outcome.cursor), UTC) + timedelta(minutes=-steps)


def test_reddit_429_and_a_spent_allowance_are_said_in_words(http):
    with FakeReddit(posts=300, remaining=2) as fake:
        url = f"{fake.url}/r/HomeNetworking/search.rss?q=nimbus&restrict_sr=1"
        # An old cursor: paging would go on, but the allowance runs out after page 2.
        outcome = reddit.fetch(_spec("reddit", url, "1"), http)
        assert len(outcome.items) == 200
        assert outcome.wait_s == 420
        assert "allowance for readers without an account is used up" in outcome.note
        fake.script("/r/HomeNetworking/search.json", ("429", 90))
        with pytest.raises(FetchError) as err:
            reddit.fetch(_spec("reddit", url), http)
        assert err.value.retry_after == 90
        assert "Reddit is throttling readers without an account" in str(err.value)
        assert "90 s" in str(err.value)


def test_reddit_bad_answers(http):
    with FakeReddit(posts=3) as fake:
        fake.html = True
        with pytest.raises(FetchError, match="web page instead of data"):
            reddit.fetch(_spec("reddit", f"{fake.url}/r/x/new"), http)
        fake.html = False
        with pytest.raises(FetchError, match="no such subreddit"):
            reddit.fetch(_spec("reddit", f"{fake.url}/r/gone/new"), http)
        fake.script("/r/x/new.json", "503")
        with pytest.raises(FetchError, match="unavailable"):
            reddit.fetch(_spec("reddit", f"{fake.url}/r/x/new"), http)
    with pytest.raises(ValueError, match="no search words"):
        reddit.listing_of("https://www.reddit.com/r/x/search")


# -- Discourse -----------------------------------------------------------------------


def test_discourse_search_posts_carry_their_topic_as_thread(http):
    with FakeDiscourse(posts=120, per_page=50) as fake:
        url = discourse.search_url(fake.url, "nimbus")
        first = discourse.fetch(_spec("discourse", url), http)
        assert len(first.items) == 120  # three pages while the forum says "more"
        post = first.items[1]
        assert post.thread_id == "10" and post.parent_id == "10"
        assert post.url == f"{fake.url}/t/x2-reboots-10/10/2"
        assert post.title == "Re: X2 reboots 10" and post.author_handle == "dana"
        assert fake.requests[0][1] == "/search.json"
        # Nothing new: the first page reaches the cursor and paging stops.
        fake.requests.clear()
        again = discourse.fetch(_spec("discourse", url, first.cursor), http)
        assert again.items == [] and len(fake.requests) == 1


def test_discourse_latest_gives_posts_with_their_topic_as_the_thread(http):
    with FakeDiscourse(latest=120) as fake:
        fake.latest[1]["hidden"] = True  # hidden by the community: not shown
        url = f"{fake.url}/latest"
        first = discourse.fetch(_spec("discourse", url), http)
        assert len(first.items) == 49 and fake.befores == [None]  # a first run: one page
        post = first.items[0]
        assert (post.remote_id, post.thread_id) == ("5000", "702")
        assert post.url == f"{fake.url}/t/mesh-drops-702/702/1" and post.parent_id is None
        assert post.title == "Mesh drops 702" and first.items[1].title == "Re: Mesh drops 700"
        assert post.text == "Nimbus mesh drops again (post 5000)" and post.author_handle == "dana"
        # Three new posts: the first page reaches the cursor.
        fake.latest[:0] = [FakeDiscourse.latest_post(n - 3, 5003 - n) for n in range(3)]
        again = discourse.fetch(_spec("discourse", url, first.cursor), http)
        assert [i.remote_id for i in again.items] == ["5003", "5002", "5001"]
        # A quiet weekend: 70 new posts; it pages back with before= to the cursor.
        fake.latest[:0] = [FakeDiscourse.latest_post(n - 73, 5073 - n) for n in range(70)]
        fake.befores.clear()
        caught = discourse.fetch(_spec("discourse", url, again.cursor), http)
        assert len(caught.items) == 70 and fake.befores == [None, "5023"]


def test_discourse_refusals_are_said_in_words(http):
    with FakeDiscourse() as fake:
        fake.script("/posts.json", ("429", 30))
        with pytest.raises(FetchError, match="forum is throttling us") as err:
            discourse.fetch(_spec("discourse", f"{fake.url}/latest"), http)
        assert err.value.retry_after == 30
        fake.login_required = True
        with pytest.raises(FetchError, match="wants a login"):
            discourse.fetch(_spec("discourse", f"{fake.url}/latest"), http)
        fake.login_required = False
        fake.script("/search.json", "500")
        with pytest.raises(FetchError, match="server had an error"):
            discourse.fetch(_spec("discourse", f"{fake.url}/search?q=x"), http)


# -- Stack Exchange ------------------------------------------------------------------


def test_stackexchange_pages_and_shows_the_quota_left(http):
    with FakeStackExchange(questions=120, quota=300) as fake:
        url = stackexchange.search_url("superuser", "nimbus", api=f"{fake.url}/2.3")
        first = stackexchange.fetch(_spec("stackexchange", url), http)
        assert len(first.items) == 120  # 3 pages of 50 while has_more
        q = first.items[0]
        assert q.title == "Nimbus X2 drops Wi-Fi after the update" and q.replies == 1
        assert q.text == "Since the update my Nimbus drops."
        assert first.note == "quota left today: 297 of 300 requests"
        # The cursor goes back as fromdate: nothing older comes again.
        again = stackexchange.fetch(_spec("stackexchange", url, first.cursor), http)
        assert again.items == []


def test_stackexchange_backoff_throttle_and_bad_parameters(http):
    with FakeStackExchange(questions=200) as fake:
        url = stackexchange.search_url("superuser", "nimbus", api=f"{fake.url}/2.3")
        fake.backoff = 10
        outcome = stackexchange.fetch(_spec("stackexchange", url), http)
        assert len(outcome.items) == 50  # the backoff field stops paging at once
        assert outcome.wait_s == 10 and "pause of 10 s" in outcome.note
        fake.backoff = None
        fake.throttled = True
        with pytest.raises(FetchError, match="throttle_violation") as err:
            stackexchange.fetch(_spec("stackexchange", url), http)
        assert err.value.retry_after == 3600
        fake.throttled = False
        with pytest.raises(FetchError, match="no such method"):
            stackexchange.fetch(
                _spec("stackexchange", f"{fake.url}/2.2/search/advanced?site=su&q=x"), http
            )
    with pytest.raises(ValueError, match="names no Stack Exchange site"):
        stackexchange.search_of("https://api.stackexchange.com/2.3/search/advanced?q=x")
    endpoint, params = stackexchange.search_of("https://superuser.com/search?q=nimbus")
    assert endpoint.endswith("/2.3/search/advanced") and params == {
        "site": "superuser",
        "q": "nimbus",
    }


def test_stackexchange_spent_quota_waits_until_it_renews(http):
    with FakeStackExchange(questions=10, quota=1) as fake:
        url = stackexchange.search_url("superuser", "nimbus", api=f"{fake.url}/2.3")
        outcome = stackexchange.fetch(_spec("stackexchange", url), http)
        assert len(outcome.items) == 10
        assert "quota left today: 0 of 300" in outcome.note and "until it renews" in outcome.note
        assert outcome.wait_s and outcome.wait_s <= 24 * 3600


# -- Lemmy ---------------------------------------------------------------------------


def test_lemmy_search_posts_and_comments(http):
    with FakeLemmy(posts=60) as fake:
        url = lemmy.search_url(fake.url, "nimbus")
        first = lemmy.fetch(_spec("lemmy", url), http)
        assert len(first.items) == 51  # one page of posts plus its comment, no cursor yet
        comment = next(i for i in first.items if i.remote_id == "55")
        assert comment.parent_id == "54" and comment.thread_id == "900"
        assert comment.author_handle == "lee@lemmy.example"
        post = next(i for i in first.items if i.remote_id == "900")
        assert post.url == f"{fake.url}/post/900" and post.published.tzinfo is not None
        path = fake.requests[0][1]
        assert path == "/api/v3/search"
        fake.rate_limited = True
        with pytest.raises(FetchError, match="limiting searches"):
            lemmy.fetch(_spec("lemmy", url), http)
    with pytest.raises(ValueError, match="not a Lemmy search"):
        lemmy.search_of("https://lemmy.example/c/homelab")


def test_a_run_records_the_quota_and_honours_a_long_backoff(tmp_path):
    from datetime import UTC, datetime, timedelta

    from engage_desktop.core.progress import PlainState
    from engage_desktop.listen.fetch import FetchOptions, run_fetch
    from engage_desktop.listen.subscriptions import add_source_checked

    with FakeStackExchange(questions=5) as fake, new_workspace(tmp_path / "s.engage") as ws:
        fake.backoff = 3600
        url = stackexchange.search_url("superuser", "nimbus", api=f"{fake.url}/2.3")
        added = add_source_checked(ws, url, kind="stackexchange", keep_all=True, interval_s=60)
        assert any("every 15 minutes at most" in n for n in added.notes)
        summary = run_fetch(PlainState(), ws, force=True, options=FetchOptions(limits=FAST))
        assert summary.new_mentions == 5
        row = ws.rows("SELECT channel, config, next_run_at FROM sources")[0]
        assert row["channel"] == "forum"
        assert "quota left today: 299 of 300" in row["config"]
        wait = row["next_run_at"] - datetime.now(UTC)
        assert timedelta(minutes=55) < wait <= timedelta(hours=1)
        # A forced run still waits for the pause the API asked for.
        again = run_fetch(PlainState(), ws, force=True, options=FetchOptions(limits=FAST))
        assert again.results == [] and "asked us to wait" in again.skipped[0]


# -- News search ---------------------------------------------------------------------


class FakeNewsSearch(FakeLemmy):
    """A news search engine's RSS: Google News' shape (title " - Publisher", source)."""

    def route(self, method, path, headers, body, query):
        from tests.fakes.server import Reply

        if path != "/rss/search":
            raise Reply(404, {"error": "not found"})
        words = query.get("q", "")
        items = "".join(
            f"<item><title>{words} recall {i} - Daily Router</title>"
            f"<link>https://news.example/articles/{i}</link>"
            f'<guid isPermaLink="false">CBMi{i}</guid>'
            f"<pubDate>Tue, 01 Dec 2026 1{i}:00:00 GMT</pubDate>"
            f"<description>{words} recall {i}</description>"
            f'<source url="https://news.example">Daily Router</source></item>'
            for i in range(3)
        )
        raise Reply(200, f'<rss version="2.0"><channel><title>"{words}" - Google News</title>'
                    f"{items}</channel></rss>".encode())  # fmt: skip


def test_a_news_query_becomes_a_search_feed_and_is_read_like_one(tmp_path):
    from engage_desktop.core.progress import PlainState
    from engage_desktop.listen.fetch import FetchOptions, run_fetch
    from engage_desktop.listen.subscriptions import add_source_checked
    from engage_desktop.sources import news

    url = news.from_shorthand("news:Nimbus outage")
    assert url == "https://news.google.com/rss/search?q=Nimbus+outage&hl=en-US&gl=US&ceid=US%3Aen"
    assert news.from_shorthand("news:bing:Nimbus").startswith("https://www.bing.com/news/search?")
    with FakeNewsSearch() as fake, new_workspace(tmp_path / "n.engage") as ws:
        added = add_source_checked(ws, "news:Nimbus", keep_all=True)
        assert added.kind == "news" and added.name == "News search: Nimbus"
        local = add_source_checked(
            ws, f"{fake.url}/rss/search?q=Nimbus", kind="news", keep_all=True
        )
        summary = run_fetch(
            PlainState(), ws, source_ids=[local.id], options=FetchOptions(limits=FAST)
        )
        assert summary.new_mentions == 3
        titles = [r["title"] for r in ws.rows("SELECT title FROM mentions ORDER BY title")]
        assert titles[0] == "Nimbus recall 0 - Daily Router"
        assert ws.scalar("SELECT DISTINCT channel FROM mentions") == "news"


class WebPageEverywhere(FakeLemmy):
    """A server that answers every API call with a web page (a block or login page)."""

    def route(self, method, path, headers, body, query):
        from tests.fakes.server import Reply

        raise Reply(200, b"<!DOCTYPE html><html><body>Please log in</body></html>")


@pytest.mark.parametrize(
    ("module", "kind", "path"),
    [
        (reddit, "reddit", "/r/x/new"),
        (discourse, "discourse", "/latest"),
        (stackexchange, "stackexchange", "/2.3/search/advanced?site=superuser&q=x"),
        (lemmy, "lemmy", "/search?q=x"),
    ],
)
def test_a_web_page_instead_of_data_is_said_in_words(http, module, kind, path):
    expected = pytest.raises(FetchError, match="answered with a web page instead of data")
    with WebPageEverywhere() as fake, expected:
        module.fetch(_spec(kind, fake.url + path), http)
