"""Mastodon replies: ``POST /api/v1/statuses`` threaded under the mention.

A status id is only valid on the server it came from: when the mention was fetched
from another instance than the account's, the post is first looked up on the
account's own server by its URL (``/api/v2/search?resolve=true``).

Every attempt of one reply carries the same ``Idempotency-Key`` header; Mastodon
remembers the key (for about an hour) and answers a repeated request with the status
it already created, so a retry after a lost answer cannot post twice.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

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
    server_words,
)
from engage_desktop.sources.deadline import WatchedTransport
from engage_desktop.sources.http import insecure_secret_words, sends_secret_in_clear

USER_AGENT = "engage-desktop (+https://github.com/engage-desktop)"
VISIBILITIES = ("public", "unlisted", "private", "direct")
DEFAULT_VISIBILITY = "public"


def normalize_instance(url: str) -> str:
    """``mastodon.social`` or ``https://mastodon.social/`` → ``https://mastodon.social``."""
    url = url.strip().rstrip("/")
    if "://" not in url:
        url = "https://" + url
    return url


class MastodonChannel:
    """Replies through one Mastodon account.

    Args:
        instance_url: The account's server.
        token: The account's access token (scope ``write:statuses``, ``read:accounts``).
        timeout: Seconds to wait for the next bytes of an answer.
        deadline: Seconds one request may take in all.
    """

    name = "mastodon"

    def __init__(
        self,
        instance_url: str,
        token: str,
        *,
        timeout: float = 20.0,
        deadline: float = REQUEST_DEADLINE_S,
    ) -> None:
        self.instance_url = normalize_instance(instance_url)
        if sends_secret_in_clear(self.instance_url):
            raise Rejected(insecure_secret_words(self.instance_url, "the Mastodon token"))
        self.deadline = deadline
        self._client = httpx.Client(
            base_url=self.instance_url,
            timeout=timeout,
            headers={"Authorization": f"Bearer {token}", "User-Agent": USER_AGENT},
            transport=WatchedTransport(),
        )

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()

    def __enter__(self) -> MastodonChannel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- account checks -----------------------------------------------------------

    def verify(self) -> dict[str, Any]:
        """The account behind the token (``/api/v1/accounts/verify_credentials``)."""
        response = self._request("GET", "/api/v1/accounts/verify_credentials")
        return response.json()

    def max_characters(self) -> int | None:
        """The instance's status length limit, when it announces one."""
        try:
            response = self._request("GET", "/api/v1/instance")
            data = response.json()
        except (TemporaryFailure, Rejected, RateLimited, ValueError):
            return None
        config = data.get("configuration") or {}
        limit = (config.get("statuses") or {}).get("max_characters") or data.get(
            "max_toot_chars"  # Pleroma and Akkoma
        )
        return int(limit) if isinstance(limit, int) and limit > 0 else None

    # -- sending ------------------------------------------------------------------

    def send(self, request: ReplyRequest) -> SendResult:
        """Post the reply under the mention."""
        payload: dict[str, Any] = {
            "status": request.body,
            "visibility": request.visibility or DEFAULT_VISIBILITY,
        }
        target = request.target
        in_reply_to = target.remote_id
        if target.url and target.source_host and target.source_host != self.host:
            in_reply_to = self._resolve(target.url)
        if in_reply_to:
            payload["in_reply_to_id"] = in_reply_to
        response = self._request(
            "POST",
            "/api/v1/statuses",
            json=payload,
            headers={"Idempotency-Key": request.idempotency_key},
        )
        status = response.json()
        return SendResult(str(status.get("id")), status.get("url") or status.get("uri"))

    @property
    def host(self) -> str:
        """The account's server name, e.g. ``mastodon.social``."""
        return urlsplit(self.instance_url).hostname or ""

    def _resolve(self, url: str) -> str:
        """The id, on the account's server, of the post at ``url``."""
        response = self._request(
            "GET",
            "/api/v2/search",
            params={"q": url, "resolve": "true", "type": "statuses", "limit": 1},
        )
        statuses = response.json().get("statuses") or []
        if not statuses:
            raise Rejected(
                f"{self.host} could not find the post you answer ({url}); it may have "
                "been deleted, or your server does not federate with its server"
            )
        return str(statuses[0]["id"])

    def _request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = request_in_time(
            self._client, self.instance_url, method, path, self.deadline, **kwargs
        )
        status = response.status_code
        if status < 400:
            return response
        words = server_words(response, response.reason_phrase)
        if status in (401, 403):
            raise AuthFailed(
                f"Mastodon refused the account's token ({status}: {words}); "
                "reconnect the account in Accounts"
            )
        if status == 429:
            wait = parse_retry_after(response.headers.get("Retry-After"))
            raise RateLimited(
                f"Mastodon asked us to slow down (429); retrying in {wait:.0f} s", wait
            )
        if status >= 500:
            raise TemporaryFailure(
                f"{self.instance_url} failed ({status}); the reply will be retried"
            )
        if status == 404 and path == "/api/v1/statuses":
            raise Rejected(f"Mastodon: {words} — the post you answer may have been deleted")
        raise Rejected(f"Mastodon: {words}")
