"""Fetching a remote image the user clicked in the detail pane (never automatically)."""

from __future__ import annotations

from typing import Any

from engage_desktop.core.errors import EngageError

MAX_IMAGE_BYTES = 8 * 1024 * 1024
TIMEOUT_S = 10.0
#: The longest the whole download may take (a server trickling within the timeout).
DEADLINE_S = 30.0


def fetch_image(state: Any, url: str) -> bytes:
    """Download one image for display; ``state`` is a task state (may be None).

    Raises:
        EngageError: Not http(s), not an image, too large, or the download failed.
    """
    import httpx

    from engage_desktop.sources.deadline import WatchedTransport, deadline

    if not url.startswith(("http://", "https://")):
        raise EngageError(f"cannot load {url}: only http and https images are loaded")
    client = httpx.Client(timeout=TIMEOUT_S, follow_redirects=True, transport=WatchedTransport())
    try:
        with (
            client,
            deadline(DEADLINE_S) as exchange,
            client.stream("GET", url) as response,
        ):
            response.raise_for_status()
            kind = response.headers.get("content-type", "")
            if not kind.startswith("image/"):
                raise EngageError(
                    f"{url} is not an image ({kind or 'no type'}); open it in the browser"
                )
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_IMAGE_BYTES:
                    raise EngageError(f"{url} is larger than 8 MB; open it in the browser")
                if state is not None and state.is_cancelled():
                    return b""
                chunks.append(chunk)
    except httpx.HTTPError as exc:
        if exchange.expired:
            raise EngageError(
                f"the image took longer than {DEADLINE_S:g} s to load; gave up; "
                "open it in the browser"
            ) from None
        raise EngageError(f"could not load the image: {exc}; try again later") from None
    return b"".join(chunks)
