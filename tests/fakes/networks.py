"""Fake Reddit, Discourse, Stack Exchange and Lemmy servers speaking their documented JSON.

Each holds a list of posts (newest first) and pages them the way the real service
does: Reddit with ``after`` tokens and ``x-ratelimit-*`` headers, Discourse search
with ``page`` and ``grouped_search_result.more_full_page_results``, Stack Exchange
with ``page``/``has_more``/``quota_remaining``/``backoff`` and HTTP 400 error
objects, Lemmy with ``page``/``limit``. Scripts from :class:`FakeServer` add 429s,
500s and dropped answers.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.fakes.server import FakeServer, Reply

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def at(minutes_ago: int) -> datetime:
    """A fixed time ``minutes_ago`` before T0."""
    return T0 - timedelta(minutes=minutes_ago)


class FakeReddit(FakeServer):
    """``/r/SUB/search.json`` and ``/r/SUB/new.json`` listings, newest first."""

    def __init__(self, posts: int = 0, remaining: float = 99.0) -> None:
        super().__init__()
        self.posts = [
            {"id": f"p{i}", "created": at(i * 10), "title": f"Nimbus router post {i}"}
            for i in range(posts)
        ]
        self.remaining = remaining
        self.html = False

    def route(self, method: str, path: str, headers: Any, body: Any, query: dict) -> Any:
        if self.html:
            raise Reply(200, b"<!doctype html><html>blocked</html>")
        if "/r/gone/" in path or not path.endswith(".json"):
            raise Reply(404, {"message": "Not Found", "error": 404})
        limit = int(query.get("limit", 25))
        start = 0
        if query.get("after"):
            start = (
                next(i for i, p in enumerate(self.posts) if f"t3_{p['id']}" == query["after"]) + 1
            )
        page = self.posts[start : start + limit]
        after = f"t3_{page[-1]['id']}" if start + limit < len(self.posts) and page else None
        self.remaining = max(0.0, self.remaining - 1)
        children = [
            {
                "kind": "t3",
                "data": {
                    "name": f"t3_{p['id']}",
                    "id": p["id"],
                    "title": p["title"],
                    "selftext": "It drops the connection every night.",
                    "selftext_html": (
                        '<div class="md"><p>It drops the connection every night.</p></div>'
                    ),
                    "author": "wifi_fan",
                    "created_utc": p["created"].timestamp(),
                    "permalink": f"/r/HomeNetworking/comments/{p['id']}/post/",
                    "subreddit": "HomeNetworking",
                    "score": 12,
                    "num_comments": 3,
                },
            }
            for p in page
        ]
        raise Reply(
            200,
            {"kind": "Listing", "data": {"after": after, "children": children}},
            {"x-ratelimit-remaining": f"{self.remaining:.1f}", "x-ratelimit-reset": "420"},
        )


class FakeDiscourse(FakeServer):
    """``/search.json`` (posts + topics) and ``/posts.json`` (the latest posts)."""

    def __init__(self, posts: int = 0, per_page: int = 50, latest: int = 0) -> None:
        super().__init__()
        self.per_page = per_page
        self.latest = [self.latest_post(i, 5000 - i) for i in range(latest)]
        self.befores: list[str | None] = []
        self.posts = [
            {
                "id": 1000 + i,
                "topic_id": 10 + i // 3,
                "post_number": i % 3 + 1,
                "created_at": at(i * 5).isoformat().replace("+00:00", "Z"),
            }
            for i in range(posts)
        ]
        self.login_required = False

    @staticmethod
    def latest_post(minutes_ago: int, post_id: int) -> dict:
        """A post as ``/posts.json`` serializes it (PostSerializer with add_title)."""
        topic = 700 + post_id % 7
        number = post_id % 4 + 1
        return {
            "id": post_id, "name": "Dana Router", "username": "dana",
            "created_at": at(minutes_ago).isoformat().replace("+00:00", "Z"),
            "cooked": f"<p>Nimbus mesh drops again (post {post_id})</p>",
            "post_number": number, "reply_to_post_number": None if number == 1 else 1,
            "topic_id": topic, "topic_slug": f"mesh-drops-{topic}",
            "topic_title": f"Mesh drops {topic}", "hidden": False, "post_type": 1,
        }  # fmt: skip

    def route(self, method: str, path: str, headers: Any, body: Any, query: dict) -> Any:
        if self.login_required:
            raise Reply(403, {"errors": ["You are not permitted to view the requested resource."]})
        if path == "/search.json":
            page = int(query.get("page", 1))
            chunk = self.posts[(page - 1) * self.per_page : page * self.per_page]
            more = page * self.per_page < len(self.posts)
            posts = [
                {
                    **p,
                    "name": "Dana Router",
                    "username": "dana",
                    "blurb": f"Nimbus X2 keeps rebooting (post {p['id']})",
                    "like_count": 2,
                }
                for p in chunk
            ]
            topics = [
                {"id": t, "title": f"X2 reboots {t}", "slug": f"x2-reboots-{t}"}
                for t in sorted({p["topic_id"] for p in chunk})
            ]
            return {
                "posts": posts,
                "topics": topics,
                "grouped_search_result": {"more_full_page_results": more},
            }
        if path == "/posts.json":  # PostsController#latest: newest id first, 50 a page
            before = int(query.get("before", 10**9))
            chunk = [p for p in self.latest if p["id"] <= before][:50]
            self.befores.append(query.get("before"))
            return {"latest_posts": chunk}
        raise Reply(404, {"errors": ["The requested URL or resource could not be found."]})


class FakeStackExchange(FakeServer):
    """``/2.3/search/advanced`` with the quota, backoff and error-object rules."""

    def __init__(self, questions: int = 0, quota: int = 300) -> None:
        super().__init__()
        self.questions = [
            {"id": 7000 + i, "created": int(at(i * 60).timestamp())} for i in range(questions)
        ]
        self.quota = quota
        self.backoff: int | None = None
        self.throttled = False

    def route(self, method: str, path: str, headers: Any, body: Any, query: dict) -> Any:
        if path != "/2.3/search/advanced":
            raise Reply(404, {"error_id": 404, "error_message": "no method found with this name",
                              "error_name": "no_method"})  # fmt: skip
        if self.throttled or self.quota <= 0:
            raise Reply(400, {
                "error_id": 502, "error_name": "throttle_violation",
                "error_message": "too many requests from this IP, more requests available "
                "in 3600 seconds",
            })  # fmt: skip
        if not query.get("site"):
            raise Reply(400, {"error_id": 400, "error_name": "bad_parameter",
                              "error_message": "site is required"})  # fmt: skip
        self.quota -= 1
        since = int(query.get("fromdate", 0))
        found = [q for q in self.questions if q["created"] >= since]
        size, page = int(query.get("pagesize", 30)), int(query.get("page", 1))
        chunk = found[(page - 1) * size : page * size]
        items = [
            {
                "question_id": q["id"],
                "title": "Nimbus X2 drops Wi-Fi after the update",
                "body": "<p>Since the update my <b>Nimbus</b> drops.</p>",
                "link": f"{self.url}/questions/{q['id']}/nimbus-x2",
                "creation_date": q["created"],
                "score": 4,
                "answer_count": 1,
                "tags": ["wifi"],
                "owner": {"display_name": "Sam", "user_id": 42, "link": f"{self.url}/users/42"},
            }
            for q in chunk
        ]
        answer = {
            "items": items,
            "has_more": page * size < len(found),
            "quota_max": 300,
            "quota_remaining": self.quota,
        }
        if self.backoff:
            answer["backoff"] = self.backoff
        return answer


class FakeLemmy(FakeServer):
    """``/api/v3/search`` returning PostViews and CommentViews, paged."""

    def __init__(self, posts: int = 0) -> None:
        super().__init__()
        self.posts = posts
        self.rate_limited = False

    def route(self, method: str, path: str, headers: Any, body: Any, query: dict) -> Any:
        if path != "/api/v3/search":
            raise Reply(404, {"error": "not_found"})
        if self.rate_limited:
            raise Reply(400, {"error": "rate_limit_error"})
        page, limit = int(query.get("page", 1)), int(query.get("limit", 10))
        ids = range((page - 1) * limit, min(page * limit, self.posts))
        creator = {"name": "lee", "display_name": "Lee", "actor_id": "https://lemmy.example/u/lee"}
        posts = [
            {
                "post": {
                    "id": 900 + i,
                    "name": f"Nimbus mesh thoughts {i}",
                    "body": "The Mesh Pro is fine.",
                    "published": at(i * 7).replace(tzinfo=None).isoformat(),
                    "ap_id": f"https://lemmy.example/post/{900 + i}",
                },
                "creator": creator,
                "community": {"name": "homelab"},
                "counts": {"score": 5, "comments": 1},
            }
            for i in ids
        ]
        comments = []
        if page == 1 and self.posts:
            comments.append({
                "comment": {"id": 55, "content": "Mine too, **Nimbus** support was slow.",
                            "published": at(1).isoformat().replace("+00:00", "Z"),
                            "path": "0.54.55", "ap_id": "https://lemmy.example/comment/55",
                            "post_id": 900},
                "creator": creator, "post": {"id": 900, "name": "Nimbus mesh thoughts 0"},
                "counts": {"score": 2, "child_count": 0},
            })  # fmt: skip
        return {
            "type_": "All",
            "posts": posts,
            "comments": comments,
            "communities": [],
            "users": [],
        }
