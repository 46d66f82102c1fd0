"""Business hours for the first-response SLA.

A 4-hour SLA means four *working* hours: a complaint posted on Friday at 16:00 and
answered on Monday at 11:00 inside 09:00–17:00 business hours took three hours
(one on Friday, two on Monday). The workspace setting ``sla.business_hours`` says
which hours count::

    {"timezone": "Europe/Berlin", "days": [0, 1, 2, 3, 4], "start": "09:00", "end": "17:00"}

(``days``: 0 is Monday). ``{"always": true}`` counts every hour (a 24/7 team).
Without the setting the team works Monday to Friday, 09:00–17:00 UTC.

The elapsed business time is computed in SQL, so the SLA number and the inbox
filter behind it are the same expression. The method: ``F(t)``, the business seconds
from the epoch to the local wall-clock time ``t``, is whole weeks × business seconds
per week + business days earlier in the week × day length + the part of the day
inside the hours; elapsed business time is ``F(reply) - F(published)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from engage_desktop.core.errors import InvalidInput

DAY_S = 86_400


def _clock(value: str) -> int:
    try:
        hours, minutes = value.split(":")
        seconds = int(hours) * 3600 + int(minutes) * 60
    except (ValueError, AttributeError):
        raise InvalidInput(f"business hours time {value!r} is not HH:MM; use e.g. 09:00") from None
    if not 0 <= seconds <= DAY_S:
        raise InvalidInput(f"business hours time {value!r} is outside 00:00–24:00")
    return seconds


@dataclass(frozen=True)
class BusinessHours:
    """Which hours count toward the SLA.

    Attributes:
        timezone: IANA zone name the hours are in.
        days: Working weekdays, 0 = Monday.
        start: Start of the working day, seconds after local midnight.
        end: End of the working day, seconds after local midnight.
        always: Every hour counts (24/7); the other fields are ignored.
    """

    timezone: str = "UTC"
    days: tuple[int, ...] = (0, 1, 2, 3, 4)
    start: int = 9 * 3600
    end: int = 17 * 3600
    always: bool = False

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInput(
                f"unknown time zone {self.timezone!r} in sla.business_hours; "
                "use an IANA name such as Europe/Berlin"
            ) from None
        if not self.always and (self.end <= self.start or not self.days):
            raise InvalidInput("business hours need at least one day and an end after the start")
        if any(d not in range(7) for d in self.days):
            raise InvalidInput("business hours days are 0 (Monday) to 6 (Sunday)")

    @classmethod
    def from_setting(cls, value: dict | None) -> BusinessHours:
        """Build from the ``sla.business_hours`` setting (None: the default)."""
        if not value:
            return cls()
        if value.get("always"):
            return cls(always=True)
        return cls(
            timezone=str(value.get("timezone", "UTC")),
            days=tuple(int(d) for d in value.get("days", (0, 1, 2, 3, 4))),
            start=_clock(value.get("start", "09:00")),
            end=_clock(value.get("end", "17:00")),
        )

    def describe(self) -> str:
        """A short human description, e.g. ``Mon–Fri 09:00–17:00 UTC``."""
        if self.always:
            return "24/7"
        names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        days = sorted(self.days)
        if days == list(range(days[0], days[-1] + 1)) and len(days) > 2:
            span = f"{names[days[0]]}–{names[days[-1]]}"
        else:
            span = ", ".join(names[d] for d in days)
        hm = lambda s: f"{s // 3600:02d}:{s % 3600 // 60:02d}"  # noqa: E731
        return f"{span} {hm(self.start)}–{hm(self.end)} {self.timezone}"

    # Day 0 of the epoch (1970-01-01) was a Thursday, so cycle position k is weekday
    # (k + 3) % 7.
    def _cycle(self) -> tuple[list[int], list[int]]:
        working = [1 if (k + 3) % 7 in self.days else 0 for k in range(7)]
        before = [sum(working[:k]) for k in range(7)]
        return working, before

    def seconds_sql(self, column: str) -> str:
        """SQL for F(column): business seconds from the epoch to ``column``.

        Integer microsecond arithmetic, and no time-zone conversion for UTC: this runs
        over every answered mention, so it is kept to a few vector operations.
        """
        if self.always:
            return f"(epoch_us({column}) / 1000000.0)"
        if self.timezone == "UTC":
            e = f"epoch_us({column})"
        else:
            e = f"epoch_us(timezone('{self.timezone}', {column}))"
        working, before = self._cycle()
        length = self.end - self.start
        per_week = sum(working) * length
        day = f"({e} // {DAY_S * 1_000_000})"
        k = f"({day} % 7 + 1)"
        in_day = f"(({e} % {DAY_S * 1_000_000}) / 1000000.0)"
        return (
            f"({day} // 7 * {per_week} + {before}[{k}] * {length} "
            f"+ {working}[{k}] * least(greatest({in_day} - {self.start}, 0), {length}))"
        )

    def elapsed_sql(
        self, start_column: str = "published", end_column: str = "first_reply_at"
    ) -> str:
        """SQL for the business seconds between two timestamp columns."""
        return f"({self.seconds_sql(end_column)} - {self.seconds_sql(start_column)})"

    def within_sla_sql(self, sla_s: float) -> str:
        """SQL condition: the first reply came within ``sla_s`` business seconds."""
        return f"({self.elapsed_sql()} <= {float(sla_s)})"

    def elapsed(self, start: datetime, end: datetime) -> float:
        """Business seconds between two aware datetimes (Python, for checks and tests)."""
        return self._seconds(end) - self._seconds(start)

    def _seconds(self, moment: datetime) -> float:
        if self.always:
            return moment.timestamp()
        local = moment.astimezone(ZoneInfo(self.timezone)).replace(tzinfo=None)
        e = (local - datetime(1970, 1, 1)).total_seconds()
        working, before = self._cycle()
        length = self.end - self.start
        day = int(e // DAY_S)
        k = day % 7
        in_day = e - day * DAY_S
        return (
            day // 7 * sum(working) * length
            + before[k] * length
            + working[k] * min(max(in_day - self.start, 0), length)
        )
