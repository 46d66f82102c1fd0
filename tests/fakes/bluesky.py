"""A fake Bluesky PDS: sessions, createRecord, getRecord, getPosts."""

from __future__ import annotations

import hashlib
from typing import Any

import regex

from tests.fakes.server import FakeServer, Reply

POST = "app.bsky.feed.post"


class FakeBluesky(FakeServer):
    """Behaves like bsky.social for the calls a reply needs.

    A duplicate record key answers 500 like the real PDS does today (the duplicate
    is not created); too long a post answers 400 InvalidRequest with the PDS's words.
    """

    def __init__(self, handle: str = "nimbus.test", password: str = "app-pass-1234") -> None:
        super().__init__()
        self.handle, self.password, self.did = handle, password, "did:plc:nimbus"
        self.jwts: set[str] = set()
        self.records: dict[str, dict[str, Any]] = {}  # uri -> {uri, cid, value}
        self.posts: dict[str, dict[str, Any]] = {}  # other people's posts, for getPosts

    def add_post(self, uri: str, text: str, reply: dict | None = None) -> str:
        """Someone else's post (what we answer); returns its cid."""
        cid = "bafy" + hashlib.sha256(uri.encode()).hexdigest()[:20]
        record = {"$type": POST, "text": text}
        if reply:
            record["reply"] = reply
        self.posts[uri] = {"uri": uri, "cid": cid, "record": record}
        return cid

    @property
    def created(self) -> list[dict[str, Any]]:
        """Posts created through createRecord, in order."""
        return list(self.records.values())

    def _auth(self, headers: Any) -> None:
        token = (headers.get("Authorization") or "").removeprefix("Bearer ").strip()
        if token not in self.jwts:
            raise Reply(400, {"error": "ExpiredToken", "message": "Token has expired"})

    def route(self, method: str, path: str, headers: Any, body: Any, query: dict) -> Any:
        nsid = path.removeprefix("/xrpc/")
        if nsid == "com.atproto.server.createSession":
            if (
                body.get("identifier") not in (self.handle, self.did)
                or body.get("password") != self.password
            ):
                raise Reply(
                    401,
                    {
                        "error": "AuthenticationRequired",
                        "message": "Invalid identifier or password",
                    },
                )
            jwt = f"jwt-{len(self.jwts) + 1}"
            self.jwts.add(jwt)
            return {"did": self.did, "handle": self.handle, "accessJwt": jwt, "refreshJwt": "r"}
        self._auth(headers)
        if nsid == "com.atproto.repo.createRecord":
            record = body["record"]
            rkey = body.get("rkey") or f"auto{len(self.records)}"
            uri = f"at://{self.did}/{body['collection']}/{rkey}"
            if uri in self.records:
                raise Reply(
                    500, {"error": "InternalServerError", "message": "Internal Server Error"}
                )
            if len(regex.findall(r"\X", record.get("text", ""))) > 300:
                raise Reply(
                    400,
                    {
                        "error": "InvalidRequest",
                        "message": "Invalid app.bsky.feed.post record: Record/text must not be "
                        "longer than 300 graphemes",
                    },
                )
            cid = "bafyrei" + hashlib.sha256(uri.encode()).hexdigest()[:20]
            self.records[uri] = {"uri": uri, "cid": cid, "value": record}
            return {"uri": uri, "cid": cid}
        if nsid == "com.atproto.repo.getRecord":
            uri = f"at://{query['repo']}/{query['collection']}/{query['rkey']}"
            if uri not in self.records:
                raise Reply(
                    400, {"error": "RecordNotFound", "message": f"Could not locate record: {uri}"}
                )
            return self.records[uri]
        if nsid == "app.bsky.feed.getPosts":
            uris = query.get("uris") or []
            uris = [uris] if isinstance(uris, str) else uris
            return {"posts": [self.posts[u] for u in uris if u in self.posts]}
        return super().route(method, path, headers, body, query)
