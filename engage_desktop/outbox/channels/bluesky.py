"""Bluesky replies: an ``app.bsky.feed.post`` record with ``reply.root``/``reply.parent``.

A session comes from ``com.atproto.server.createSession`` with an app password and
is reused (Bluesky rate-limits session creation hard). The record key of the post
is the reply's idempotency key (a TID): a repeated ``createRecord`` for the same
reply cannot create a second post, and a retry first asks ``getRecord`` whether the
earlier attempt already succeeded.
"""

from __future__ import annotations

import contextlib
import re
import threading
from datetime import UTC, datetime
from typing import Any

import httpx

from engage_desktop.outbox.channels.base import (
    REQUEST_DEADLINE_S,
    AuthFailed,
    RateLimited,
    Rejected,
    ReplyRequest,
    SendResult,
    TemporaryFailure,
    parse_retry_after,
    request_in_time,
    seconds_until_epoch,
    server_words,
)
from engage_desktop.sources.deadline import WatchedTransport
from engage_desktop.sources.http import insecure_secret_words, sends_secret_in_clear

DEFAULT_SERVICE = "https://bsky.social"
POST = "app.bsky.feed.post"
_URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)\]]")
_sessions: dict[tuple[str, str], dict[str, Any]] = {}
_sessions_lock = threading.Lock()


def link_facets(text: str) -> list[dict[str, Any]]:
    """Rich-text facets that make the URLs in ``text`` clickable (UTF-8 byte offsets)."""
    facets = []
    for match in _URL.finditer(text):
        start = len(text[: match.start()].encode("utf-8"))
        end = start + len(match.group(0).encode("utf-8"))
        facets.append(
            {
                "index": {"byteStart": start, "byteEnd": end},
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": match.group(0)}],
            }
        )
    return facets


def _rkey(uri: str) -> str:
    return uri.rstrip("/").rsplit("/", 1)[-1]


class BlueskyChannel:
    """Replies through one Bluesky account.

    Args:
        handle: The account's handle or DID.
        app_password: An app password (Settings › App passwords), not the main one.
        service: The account's PDS (default bsky.social).
        timeout: Seconds to wait for the next bytes of an answer.
        deadline: Seconds one request may take in all.
    """

    name = "bluesky"

    def __init__(
        self,
        handle: str,
        app_password: str,
        *,
        service: str = DEFAULT_SERVICE,
        timeout: float = 20.0,
        deadline: float = REQUEST_DEADLINE_S,
    ) -> None:
        self.handle = handle.lstrip("@")
        self.service = (service or DEFAULT_SERVICE).rstrip("/")
        if sends_secret_in_clear(self.service):
            raise Rejected(insecure_secret_words(self.service, "the Bluesky app password"))
        self._password = app_password
        self.deadline = deadline
        self._client = httpx.Client(
            base_url=self.service, timeout=timeout, transport=WatchedTransport()
        )

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()

    def __enter__(self) -> BlueskyChannel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- session ------------------------------------------------------------------

    def verify(self) -> dict[str, Any]:
        """Open a fresh session: proves the app password works; returns did and handle."""
        return self._session(fresh=True)

    def _session(self, fresh: bool = False) -> dict[str, Any]:
        key = (self.service, self.handle)
        with _sessions_lock:
            if not fresh and key in _sessions:
                return _sessions[key]
        response = self._call(
            "POST",
            "com.atproto.server.createSession",
            json={"identifier": self.handle, "password": self._password},
            authed=False,
        )
        session = response.json()
        with _sessions_lock:
            _sessions[key] = session
        return session

    def _forget_session(self) -> None:
        with _sessions_lock:
            _sessions.pop((self.service, self.handle), None)

    # -- sending ------------------------------------------------------------------

    def send(self, request: ReplyRequest) -> SendResult:
        """Create the reply post under the mention."""
        target = request.target
        if not target.remote_id or not target.remote_id.startswith("at://"):
            raise Rejected(
                "this mention has no Bluesky post address (at:// uri) to reply to; "
                "answer it by hand"
            )
        session = self._session()
        rkey = request.idempotency_key
        if request.attempt > 1:
            earlier = self._existing(session, rkey)
            if earlier is not None:
                return earlier
        record: dict[str, Any] = {
            "$type": POST,
            "text": request.body,
            "createdAt": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "reply": self._reply_refs(target),
        }
        facets = link_facets(request.body)
        if facets:
            record["facets"] = facets
        body = {"repo": session["did"], "collection": POST, "rkey": rkey, "record": record}
        try:
            response = self._call("POST", "com.atproto.repo.createRecord", json=body)
        except Rejected as exc:
            # The record exists: an earlier attempt got through but its answer was lost.
            if "exist" in str(exc).lower():
                earlier = self._existing(self._session(), rkey)
                if earlier is not None:
                    return earlier
            raise
        data = response.json()
        return SendResult(data.get("uri"), self._web_url(session, _rkey(data.get("uri", rkey))))

    def _web_url(self, session: dict[str, Any], rkey: str) -> str:
        return f"https://bsky.app/profile/{session.get('handle') or self.handle}/post/{rkey}"

    def _existing(self, session: dict[str, Any], rkey: str) -> SendResult | None:
        try:
            response = self._call(
                "GET",
                "com.atproto.repo.getRecord",
                params={"repo": session["did"], "collection": POST, "rkey": rkey},
            )
        except Rejected:  # RecordNotFound: the earlier attempt did not get through
            return None
        data = response.json()
        return SendResult(data.get("uri"), self._web_url(session, rkey))

    def _reply_refs(self, target) -> dict[str, Any]:
        parent = {"uri": target.remote_id, "cid": target.remote_cid}
        root_uri = target.thread_id or target.remote_id
        root = {"uri": root_uri, "cid": target.root_cid if root_uri != target.remote_id else None}
        if root_uri == target.remote_id:
            root["cid"] = parent["cid"]
        if parent["cid"] is None or root["cid"] is None:
            posts = self._posts([u for u in {target.remote_id, root_uri} if u])
            parent_post = posts.get(target.remote_id)
            if parent_post is None:
                raise Rejected("Bluesky: the post you answer was not found; it may be deleted")
            parent["cid"] = parent_post["cid"]
            earlier_reply = (parent_post.get("record") or {}).get("reply")
            if earlier_reply and earlier_reply.get("root"):
                root = dict(earlier_reply["root"])  # the parent knows its own thread root
            elif root_uri == target.remote_id:
                root = dict(parent)
            elif root_uri in posts:
                root = {"uri": root_uri, "cid": posts[root_uri]["cid"]}
            else:
                root = dict(parent)
        return {"root": root, "parent": parent}

    def _posts(self, uris: list[str]) -> dict[str, dict[str, Any]]:
        response = self._call("GET", "app.bsky.feed.getPosts", params={"uris": uris})
        return {p["uri"]: p for p in response.json().get("posts", [])}

    # -- HTTP ---------------------------------------------------------------------

    def _call(
        self, method: str, nsid: str, *, authed: bool = True, **kwargs: Any
    ) -> httpx.Response:
        for renewed in (False, True):
            headers = {}
            if authed:
                headers["Authorization"] = f"Bearer {self._session()['accessJwt']}"
            response = request_in_time(
                self._client, self.service, method, f"/xrpc/{nsid}", self.deadline,
                headers=headers, **kwargs,
            )  # fmt: skip
            if response.status_code < 400:
                return response
            error = ""
            with contextlib.suppress(ValueError):
                error = str(response.json().get("error") or "")
            if authed and not renewed and error in ("ExpiredToken", "InvalidToken"):
                self._forget_session()  # access tokens live minutes; open a new session once
                continue
            self._raise(response, nsid)
        raise AssertionError("unreachable")

    def _raise(self, response: httpx.Response, nsid: str) -> None:
        status = response.status_code
        words = server_words(response, response.reason_phrase)
        if status == 401 or (status == 400 and nsid == "com.atproto.server.createSession"):
            self._forget_session()
            raise AuthFailed(
                f"Bluesky refused the app password ({status}: {words}); "
                "reconnect the account in Accounts"
            )
        if status == 429:
            wait = seconds_until_epoch(response.headers.get("ratelimit-reset"))
            if wait is None:
                wait = parse_retry_after(response.headers.get("Retry-After"))
            raise RateLimited(
                f"Bluesky asked us to slow down (429); retrying in {wait:.0f} s", wait
            )
        if status >= 500:
            raise TemporaryFailure(f"{self.service} failed ({status}); the reply will be retried")
        raise Rejected(f"Bluesky: {words}")
