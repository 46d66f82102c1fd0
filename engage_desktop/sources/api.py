"""What the JSON-API adapters share: reading answers, dates and rate-limit words.

Reddit, Discourse, Stack Exchange and Lemmy all answer in JSON, throttle clients
that ask too often, and explain refusals in their own way; each adapter keeps its
own limits and words, and uses these helpers for the common parts.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from engage_desktop.sources.http import FetchError, Response
from engage_desktop.sources.item import utc


def read_json(response: Response | bytes, service: str) -> Any:
    """The decoded JSON of an answer.

    Raises:
        FetchError: The answer is a web page or not JSON, in words naming ``service``.
    """
    content = response if isinstance(response, bytes) else response.content
    head = content[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        raise FetchError(
            f"{service} answered with a web page instead of data (a login page, a "
            "block page or the wrong address); check the address, or try again later"
        )
    try:
        return json.loads(content)
    except (ValueError, RecursionError):
        raise FetchError(f"{service} did not answer with JSON; check the address") from None


def error_json(error: FetchError) -> dict[str, Any]:
    """The JSON object a service sent with an error status, or an empty dict."""
    try:
        data = json.loads(error.body) if error.body else None
    except (ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def iso_date(value: object) -> datetime | None:
    """An ISO 8601 timestamp as UTC (a missing zone is UTC, as Lemmy writes them)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        return None


def epoch_date(value: object) -> datetime | None:
    """Epoch seconds (int or float) as UTC."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(float(value), UTC)
    except (OverflowError, OSError, ValueError):
        return None


def header_number(headers: dict[str, str], name: str) -> float | None:
    """A numeric header (``x-ratelimit-remaining: 98.0``), or None."""
    value = headers.get(name)
    try:
        number = float(value) if value is not None else None
    except ValueError:
        return None
    if number is None or number != number or number < 0:  # NaN or negative
        return None
    return min(number, 24 * 3600.0)


def wait_words(seconds: float) -> str:
    """A wait in words: ``40 s``, ``12 min``, ``3.5 h``."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def text_int(value: object) -> int | None:
    """An int field (never a bool) or None."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None
