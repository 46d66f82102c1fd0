"""What the author panel and the composer show about a customer, and reply variables.

Saved-reply variables from the customer record (empty when the author is not a
customer, so the composer points them out): ``{customer_name}``, ``{customer_first_name}``,
``{customer_id}`` (the CRM's id), ``{tier}``, ``{customer_since}`` (YYYY-MM-DD),
``{customer_years}`` (whole years as a customer), ``{open_tickets}``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from engage_desktop.core.templates import CUSTOMER_VARIABLES
from engage_desktop.workspace.database import Workspace


@dataclass(frozen=True)
class Customer:
    """One customer record with its identifiers and linked accounts.

    Attributes:
        id: Row id.
        external_id: The CRM's id.
        name: Name in the CRM.
        tier: Plan or tier.
        value: Lifetime value.
        value_rank: Cumulative share of customers worth at most as much (0..1).
        since: Customer since.
        open_tickets: Open support tickets.
        emails: E-mail addresses.
        handles: (channel, handle) pairs from the CRM (``url`` for profile URLs).
        extra: Every other column of the export, as it was.
        accounts: Linked author accounts: id, channel, handle, name, rule, evidence.
    """

    id: int
    external_id: str
    name: str | None
    tier: str | None
    value: float | None
    value_rank: float | None
    since: date | None
    open_tickets: int | None
    emails: list[str] = field(default_factory=list)
    handles: list[tuple[str, str]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    accounts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def years(self) -> int | None:
        """Whole years as a customer."""
        if self.since is None:
            return None
        today = datetime.now(UTC).date()
        return (
            today.year
            - self.since.year
            - ((today.month, today.day) < (self.since.month, self.since.day))
        )


def get_customer(ws: Workspace, customer_id: int) -> Customer | None:
    """A customer record with identifiers and linked accounts, or None."""
    found = ws.rows("SELECT * FROM customers WHERE id = ?", [customer_id])
    if not found:
        return None
    row = found[0]
    emails = ws.rows(
        "SELECT email FROM customer_emails WHERE customer_id = ? ORDER BY email", [customer_id]
    )
    handles = ws.rows(
        "SELECT channel, handle FROM customer_handles WHERE customer_id = ? ORDER BY 1, 2",
        [customer_id],
    )
    accounts = ws.rows(
        "SELECT a.id, a.channel, a.handle, a.name, a.followers, a.mention_count, l.rule, "
        "l.evidence, l.linked_by, l.linked_at FROM customer_links l "
        "JOIN authors a ON a.id = l.author_id WHERE l.customer_id = ? ORDER BY a.channel, a.id",
        [customer_id],
    )
    extra = json.loads(row["extra"]) if row["extra"] else {}
    return Customer(
        id=int(row["id"]),
        external_id=row["external_id"],
        name=row["name"],
        tier=row["tier"],
        value=row["value"],
        value_rank=row["value_rank"],
        since=row["since"],
        open_tickets=row["open_tickets"],
        emails=[r["email"] for r in emails],
        handles=[(r["channel"], r["handle"]) for r in handles],
        extra=extra if isinstance(extra, dict) else {"value": extra},
        accounts=accounts,
    )


def customer_id_of(ws: Workspace, author_id: int) -> int | None:
    """The customer an author is linked to, or None."""
    value = ws.scalar("SELECT customer_id FROM customer_links WHERE author_id = ?", [author_id])
    return None if value is None else int(value)


def customer_of_author(ws: Workspace, author_id: int) -> Customer | None:
    """The customer record an author belongs to, or None."""
    customer_id = customer_id_of(ws, author_id)
    return None if customer_id is None else get_customer(ws, customer_id)


def pending_suggestions(
    ws: Workspace, author_id: int | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    """Suggested links waiting for confirmation (for one author, or all), newest first."""
    where = "s.state = 'pending'" + (" AND s.author_id = ?" if author_id is not None else "")
    return ws.rows(
        "SELECT s.author_id, a.channel, a.handle, a.name AS author_name, s.customer_id, "
        "c.external_id, c.name AS customer_name, c.tier, s.rule, s.evidence "
        "FROM customer_suggestions s JOIN authors a ON a.id = s.author_id "
        f"JOIN customers c ON c.id = s.customer_id WHERE {where} "
        f"ORDER BY s.created_at DESC, s.author_id LIMIT {int(limit)}",
        [] if author_id is None else [author_id],
    )


def search_customers(ws: Workspace, text: str, limit: int = 50) -> list[dict[str, Any]]:
    """Customers whose id, name or e-mail contains ``text`` (case-blind), by name."""
    needle = f"%{(text or '').strip().lower()}%"
    return ws.rows(
        "SELECT c.id, c.external_id, c.name, c.tier, c.value, "
        "(SELECT string_agg(email, '; ') FROM customer_emails e WHERE e.customer_id = c.id) "
        "AS emails FROM customers c WHERE lower(c.external_id) LIKE ? OR lower(c.name) LIKE ? "
        "OR c.id IN (SELECT customer_id FROM customer_emails WHERE email LIKE ?) "
        f"ORDER BY c.name NULLS LAST, c.external_id LIMIT {int(limit)}",
        [needle, needle, needle],
    )


def customer_tiers(ws: Workspace) -> list[tuple[str, int]]:
    """Tiers with their customer counts, most valuable tier first."""
    found = ws.rows(
        "SELECT tier, count(*) AS n FROM customers WHERE tier IS NOT NULL GROUP BY tier "
        "ORDER BY avg(value) DESC NULLS LAST, tier",
        [],
    )
    return [(r["tier"], int(r["n"])) for r in found]


def segment_choices(ws: Workspace) -> tuple[list[str], tuple[float, float, float] | None]:
    """The inbox's segment menu: tiers (most valuable first) and value cuts.

    The cuts are the median, upper quartile and top decile of customer value (None
    without values). A shared copy kept with segments has no customer records, only
    each mention's tier and top-tier flag: its tiers come from the mentions, the top
    tier first, and it has no value bands.
    """
    tiers = [
        r[0]
        for r in ws.tuples(
            "SELECT tier FROM customers WHERE tier IS NOT NULL GROUP BY tier "
            "ORDER BY avg(value) DESC NULLS LAST, tier"
        )
    ]
    cuts = ws.scalar("SELECT approx_quantile(value, [0.5, 0.75, 0.9]) FROM customers")
    if not tiers and ws.manifest is not None:
        tiers = [
            r[0]
            for r in ws.tuples(
                "SELECT customer_tier FROM mentions WHERE customer_tier IS NOT NULL "
                "GROUP BY customer_tier ORDER BY bool_or(customer_top) DESC, customer_tier"
            )
        ]
    return tiers, (tuple(float(v) for v in cuts) if cuts else None)  # type: ignore[return-value]


def customer_template_values(ws: Workspace, author_id: int | None) -> dict[str, str | None]:
    """Values of the customer variables for an author (all None when not a customer)."""
    values: dict[str, str | None] = dict.fromkeys(CUSTOMER_VARIABLES)
    customer = None if author_id is None else customer_of_author(ws, author_id)
    if customer is None:
        return values
    name = (customer.name or "").strip()
    values.update(
        customer_name=name or None,
        customer_first_name=name.split()[0] if name else None,
        customer_id=customer.external_id,
        tier=customer.tier,
        customer_since=customer.since.isoformat() if customer.since else None,
        customer_years=None if customer.years is None else str(customer.years),
        open_tickets=None if customer.open_tickets is None else str(customer.open_tickets),
    )
    return values
