"""Manual replies, for blogs, forums, review sites and others without a reply API.

The user copies the reply, opens the original in the browser, posts it there, and
marks it as sent; the outbox then records it like any other reply (no network).
"""

from __future__ import annotations

from engage_desktop.outbox.channels.base import ReplyRequest, SendResult


class ManualChannel:
    """The user posts the reply; marking it as sent records where."""

    name = "manual"

    def close(self) -> None:
        """Nothing to close."""

    def __enter__(self) -> ManualChannel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send(self, request: ReplyRequest) -> SendResult:
        """Record the reply as posted by hand under the original post."""
        return SendResult(None, request.target.url)
