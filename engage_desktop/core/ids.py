"""Idempotency keys for the outbox.

A key is an AT Protocol TID: 13 characters of "base32-sortable" encoding a
microsecond timestamp and a random 10-bit clock id. It is unique per reply, sorts
by creation time, is a valid ``Idempotency-Key`` for Mastodon, and is a valid
record key for a Bluesky post — so the Bluesky adapter uses it as the record key
and a repeated ``createRecord`` can never make a second post.
"""

from __future__ import annotations

import random
import re
import time

_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
TID_PATTERN = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")


def new_tid(now_us: int | None = None, clock_id: int | None = None) -> str:
    """A fresh TID.

    Args:
        now_us: Microseconds since the epoch (default: now).
        clock_id: 0..1023 (default: random), separates keys made in the same microsecond.
    """
    us = time.time_ns() // 1000 if now_us is None else now_us
    clock = random.getrandbits(10) if clock_id is None else clock_id
    value = ((us & ((1 << 53) - 1)) << 10) | (clock & 0x3FF)
    chars = []
    for _ in range(13):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))
