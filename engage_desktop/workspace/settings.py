"""Every workspace setting, declared once: its key, type, default and meaning.

Settings live in the workspace's ``settings`` table as JSON. Code reads them through
:func:`get` with a declared :class:`Setting`, never with a literal key, so a key's
type and default are in one place and the Settings dialog can list them all. A key
with ``{}`` in it is a family (one per account, say).

``shared`` says whether a setting may travel in an executive copy: settings that name
our team or our accounts stay home.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Protocol

from engage_desktop.core.errors import InvalidInput, NotFound


class Workspace(Protocol):
    """What the registry needs of a workspace (the database module needs the registry)."""

    def get_setting(self, key: str, default: Any = None) -> Any: ...

    def set_setting(self, key: str, value: Any) -> None: ...


@dataclass(frozen=True)
class Setting:
    """One workspace setting.

    Attributes:
        key: The key in the ``settings`` table (``{}`` marks a family's variable part).
        kind: "str", "bool", "int", "float", "choice" or "json".
        default: The value when the workspace has none.
        label: A short name for the Settings dialog.
        description: What it changes, in the user's words.
        choices: The allowed values of a "choice" setting.
        shared: Whether it may travel in an executive copy.
        editable: Whether the Settings dialog offers it (internal markers are not).
        bounds: The smallest and largest value of an "int" or "float" setting.
    """

    key: str
    kind: str
    default: Any
    label: str
    description: str
    choices: tuple[str, ...] = ()
    shared: bool = True
    editable: bool = True
    bounds: tuple[float, float] | None = None

    def key_for(self, *parts: object) -> str:
        """The concrete key of a family member (``account.{}.max_characters``)."""
        return self.key.format(*parts) if parts else self.key

    def parse(self, value: Any) -> Any:
        """Check and convert a value for this setting (from the dialog or the CLI).

        Raises:
            InvalidInput: The value does not fit the setting's type or choices.
        """
        try:
            if self.kind == "bool":
                if isinstance(value, str):
                    lowered = value.strip().lower()
                    if lowered not in {"true", "false", "yes", "no", "on", "off", "1", "0"}:
                        raise ValueError(value)
                    return lowered in {"true", "yes", "on", "1"}
                return bool(value)
            if self.kind == "int":
                return self._within(int(value))
            if self.kind == "float":
                number = float(value)
                if number != number or number in (float("inf"), float("-inf")):
                    raise ValueError(value)
                return self._within(number)
            if self.kind == "json":
                return json.loads(value) if isinstance(value, str) else value
            text = "" if value is None else str(value).strip()
        except (TypeError, ValueError):
            raise InvalidInput(f"{self.label}: {value!r} is not a valid {self.kind}") from None
        if self.kind == "choice" and text not in self.choices:
            raise InvalidInput(f"{self.label}: choose one of {', '.join(self.choices)}")
        return text or None

    def _within(self, number: float) -> Any:
        if self.bounds is not None and not self.bounds[0] <= number <= self.bounds[1]:
            low, high = self.bounds
            raise InvalidInput(f"{self.label}: {number:g} is out of range; use {low:g} to {high:g}")
        return number


SETTINGS: tuple[Setting, ...] = (
    Setting("workspace.name", "str", None, "Workspace name",
            "The name in the title bar and on reports; the file name when empty."),
    Setting("brand.name", "str", None, "Brand",
            "The brand's name: {brand} in saved replies, the share-of-voice brand."),
    Setting("brand.handle", "str", None, "Brand handle",
            "The brand's own handle on social networks (its posts are ours, not mentions)."),
    Setting("sla.first_response_hours", "float", 4.0, "First-response SLA (business hours)",
            "How soon a mention should get a first reply, counted in business hours."),
    Setting("sla.business_hours", "json", None, "Business hours",
            'When the SLA clock runs (JSON): a timezone, days 0-6 from Monday, a start and an '
            'end, e.g. {"timezone": "Europe/Berlin", "days": [0,1,2,3,4], "start": "09:00", '
            '"end": "17:00"}; {"always": true} for a 24/7 team. Empty: Mon-Fri 09-17 UTC.'),
    Setting("approval.required", "bool", False, "Replies need approval",
            "A reply must be approved by someone else before it can be sent."),
    Setting("reply.status_after_send", "choice", "pending", "Status after a reply",
            "What a mention becomes once our reply is sent.", choices=("pending", "resolved")),
    Setting("agent.name", "str", None, "Your name",
            "Signs replies ({agent}) and the audit log; the login name when empty.",
            shared=False),
    Setting("case.prefix", "str", "#", "Case number prefix",
            "Put before a mention's id in {case_id}."),
    Setting("account.{}.max_characters", "int", None, "Instance character limit",
            "A Mastodon account's instance limit, read when the account was connected.",
            shared=False, editable=False),
    Setting("priority.customer_value_weight", "float", 0.0, "Customer value in priority",
            "Points (0-50) of priority given to the value of the author's customer; 0 is "
            "off. Change it with 'engage-desktop customers priority-weight', which "
            "recomputes every priority.", editable=False),
    Setting("inbox.views_seeded", "bool", False, "Default views created",
            "Set once the default saved views were created.", editable=False),
    Setting("inbox.teach_view_seeded", "bool", False, "Teach view created",
            "Set once the 'Teach the model' saved view was added.", editable=False),
    Setting("inbox.topic_views_added", "json", [], "Competitor views created",
            "Competitor topics whose saved view was created once (a deleted one stays "
            "deleted).", editable=False),
    Setting("listen.fetch_on_schedule", "bool", True, "Fetch on schedule",
            "While the window is open, fetch each source on its interval. A workspace made "
            "from a brief starts with it off: nothing is fetched until you say so."),
    Setting("listen.response_deadline", "float", 60.0, "Response deadline (seconds)",
            "The longest one answer from a server may take, all of it: a server that "
            "trickles or stalls is cut off then and tried again next run (1 to 3600 s).",
            bounds=(1.0, 3600.0)),
    Setting("brief", "json", None, "The client's brief",
            "Brand, products, competitors and languages the workspace was made from.",
            editable=False),
    Setting("alerts.default_mention_rule", "bool", False, "Default alert rule created",
            "Set once the default mention alert rule was created.", editable=False),
    Setting("archive.path", "str", None, "Attached archive",
            "The archive folder (Parquet) read together with this workspace; set with "
            "File › Attach Archive… or 'archive attach DIR'.", shared=False, editable=False),
)  # fmt: skip

_BY_KEY = {s.key: s for s in SETTINGS}
_FAMILIES = [(re.compile("^" + re.escape(s.key).replace(r"\{\}", "[^.]+") + "$"), s)
             for s in SETTINGS if "{}" in s.key]  # fmt: skip


def setting(key: str) -> Setting:
    """The declaration of ``key`` (a family member finds its family).

    Raises:
        NotFound: No such setting.
    """
    found = _BY_KEY.get(key)
    if found is None:
        found = next((s for pattern, s in _FAMILIES if pattern.match(key)), None)
    if found is None:
        known = ", ".join(s.key for s in SETTINGS if s.editable)
        raise NotFound(f"there is no setting {key!r}; the settings are: {known}")
    return found


def get(ws: Workspace, decl: Setting, *parts: object) -> Any:
    """A setting's value in ``ws``, or its declared default."""
    return ws.get_setting(decl.key_for(*parts), decl.default)


def put(ws: Workspace, decl: Setting, value: Any, *parts: object) -> None:
    """Check ``value`` against the declaration and store it (logged in the audit log)."""
    ws.set_setting(decl.key_for(*parts), decl.parse(value))


def shared_keys(keys: list[str]) -> list[str]:
    """Those of ``keys`` that may travel in an executive copy (unknown keys stay home)."""
    out = []
    for key in keys:
        try:
            if setting(key).shared:
                out.append(key)
        except (InvalidInput, NotFound):
            continue
    return out


# Declarations by name, for code that reads one setting.
WORKSPACE_NAME = _BY_KEY["workspace.name"]
BRAND_NAME = _BY_KEY["brand.name"]
BRAND_HANDLE = _BY_KEY["brand.handle"]
SLA_HOURS = _BY_KEY["sla.first_response_hours"]
BUSINESS_HOURS = _BY_KEY["sla.business_hours"]
APPROVAL_REQUIRED = _BY_KEY["approval.required"]
STATUS_AFTER_SEND = _BY_KEY["reply.status_after_send"]
AGENT_NAME = _BY_KEY["agent.name"]
CASE_PREFIX = _BY_KEY["case.prefix"]
ACCOUNT_MAX_CHARACTERS = _BY_KEY["account.{}.max_characters"]
VIEWS_SEEDED = _BY_KEY["inbox.views_seeded"]
TEACH_VIEW_SEEDED = _BY_KEY["inbox.teach_view_seeded"]
TOPIC_VIEWS_ADDED = _BY_KEY["inbox.topic_views_added"]
FETCH_ON_SCHEDULE = _BY_KEY["listen.fetch_on_schedule"]
RESPONSE_DEADLINE = _BY_KEY["listen.response_deadline"]
BRIEF = _BY_KEY["brief"]
CUSTOMER_VALUE_WEIGHT = _BY_KEY["priority.customer_value_weight"]
DEFAULT_MENTION_RULE = _BY_KEY["alerts.default_mention_rule"]
ARCHIVE_PATH = _BY_KEY["archive.path"]
