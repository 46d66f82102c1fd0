"""Saved-reply variables: ``{author}``, ``{first_name}``, ``{brand}``, ``{product}``,
``{agent}``, ``{case_id}``, and from the author's customer record (social CRM)
``{customer_name}``, ``{customer_first_name}``, ``{customer_id}``, ``{tier}``,
``{customer_since}``, ``{customer_years}``, ``{open_tickets}``.

Rendering fills known variables and leaves anything else in braces exactly as
written (a saved reply may legitimately contain ``{`` for other reasons), and
reports which variables it could not fill so the composer can point them out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

VARIABLE_HELP = {
    "author": "the author's name (or @handle)",
    "first_name": "the author's first name",
    "brand": "the workspace's brand",
    "product": "the product the mention is about",
    "agent": "your name, as set in the workspace",
    "case_id": "the case number of the mention",
    # From the customer record linked to the author (empty when not a customer).
    "customer_name": "the customer's name in the CRM",
    "customer_first_name": "the first word of the customer's name",
    "customer_id": "the customer's id in the CRM",
    "tier": "the customer's plan or tier",
    "customer_since": "the date they became a customer (YYYY-MM-DD)",
    "customer_years": "whole years as a customer",
    "open_tickets": "how many support tickets the customer has open",
}
VARIABLES = tuple(VARIABLE_HELP)
CUSTOMER_VARIABLES = VARIABLES[6:]
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class Rendered:
    """A saved reply with its variables filled.

    Attributes:
        text: The filled text.
        missing: Known variables that had no value (left in braces).
    """

    text: str
    missing: tuple[str, ...]


def render(body: str, values: Mapping[str, str | None]) -> Rendered:
    """Fill the variables of a saved reply.

    Args:
        body: The saved reply's text.
        values: Variable name to value; None or "" counts as missing.
    """
    missing: list[str] = []

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in VARIABLES:
            return match.group(0)
        value = values.get(name)
        if not value:
            if name not in missing:
                missing.append(name)
            return match.group(0)
        return value

    return Rendered(_PLACEHOLDER.sub(fill, body), tuple(missing))


def templatize(text: str, values: Mapping[str, str | None]) -> str:
    """Turn a written reply back into a saved reply: values become variables.

    Longer values are replaced first, so "Nimbus Router X2" becomes ``{product}``
    rather than ``{brand} Router X2``. Only whole words are replaced.
    """
    pairs = sorted(
        ((v, k) for k, v in values.items() if v and len(v) >= 2 and k in VARIABLES),
        key=lambda p: -len(p[0]),
    )
    for value, name in pairs:
        text = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", "{" + name + "}", text)
    return text


def first_name(author_name: str | None, handle: str | None = None) -> str | None:
    """The first word of a display name, else the handle without its domain."""
    name = (author_name or "").strip()
    if name:
        word = name.split()[0].strip(",.")
        if word and not word.startswith("@"):
            return word
    if handle:
        return handle.lstrip("@").split("@")[0] or None
    return None
