"""A fake Mastodon server: statuses, idempotency keys, verify_credentials, instance."""

from __future__ import annotations

from typing import Any

from tests.fakes.server import FakeServer, Reply


class FakeMastodon(FakeServer):
    """Honours ``Idempotency-Key`` per token like Mastodon does (same key → same status)."""

    def __init__(self, token: str = "good-token", max_characters: int = 500) -> None:
        super().__init__()
        self.tokens = {
            token: {
                "id": "1",
                "username": "nimbushq",
                "acct": "nimbushq",
                "display_name": "Nimbus Support",
            }
        }
        self.max_characters = max_characters
        self.statuses: list[dict[str, Any]] = []
        self.keys: dict[tuple[str, str], dict[str, Any]] = {}
        self.federated: dict[str, str] = {}  # remote post URL -> local status id

    def _account(self, headers: Any) -> tuple[str, dict]:
        auth = headers.get("Authorization") or ""
        token = auth.removeprefix("Bearer ").strip()
        if token not in self.tokens:
            raise Reply(401, {"error": "The access token is invalid"})
        return token, self.tokens[token]

    def route(self, method: str, path: str, headers: Any, body: Any, query: dict) -> Any:
        if path == "/api/v1/instance":
            return {
                "uri": "127.0.0.1",
                "configuration": {"statuses": {"max_characters": self.max_characters}},
            }
        if path == "/api/v2/search":
            self._account(headers)
            found = self.federated.get(query.get("q", ""))
            return {"accounts": [], "hashtags": [], "statuses": [{"id": found}] if found else []}
        if path == "/api/v1/accounts/verify_credentials":
            return self._account(headers)[1]
        if path == "/api/v1/statuses" and method == "POST":
            token, account = self._account(headers)
            key = headers.get("Idempotency-Key")
            if key and (token, key) in self.keys:
                return self.keys[(token, key)]
            text = body.get("status") or ""
            if len(text) > self.max_characters:
                raise Reply(
                    422,
                    {
                        "error": "Validation failed: Text character limit of "
                        f"{self.max_characters} exceeded"
                    },
                )
            number = str(110000000000 + len(self.statuses) + 1)
            status = {
                "id": number,
                "url": f"{self.url}/@{account['acct']}/{number}",
                "content": text,
                "in_reply_to_id": body.get("in_reply_to_id"),
                "visibility": body.get("visibility"),
            }
            self.statuses.append(status)
            if key:
                self.keys[(token, key)] = status
            return status
        return super().route(method, path, headers, body, query)
