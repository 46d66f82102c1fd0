"""Customer records for part of the demo's authors (the social CRM on demo data).

About a third of the authors are customers. Their records carry the evidence a real
CRM export would: some the author's handle in the column of their channel, some an
e-mail address the author also left on their account, some only an e-mail whose
local part is the handle (a suggested link, waiting for confirmation), and some
nothing social at all. A fifth more customers never posted. Tiers, lifetime values,
customer-since dates and open tickets follow the tier.

A separate random stream (seed + 1) leaves the rest of the demo unchanged.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

TIERS = ("Enterprise", "Business", "Pro", "Basic")
TIER_SHARE = np.array([0.05, 0.20, 0.35, 0.40])
TIER_VALUE = np.array([60_000.0, 9_000.0, 1_200.0, 240.0])  # median lifetime value
REGIONS = ("EMEA", "North America", "LATAM", "APAC")
MANAGERS = ("Dana Kim", "Luis Ortega", "Priya Nair", "Tom Becker")
CUSTOMER_SHARE = 0.35
EVIDENCE = ("handle", "email", "email_local", "none")
EVIDENCE_SHARE = np.array([0.45, 0.35, 0.10, 0.10])


def plan_customers(authors: dict, seed: int, end: datetime) -> dict:
    """Choose the customer authors and their records (no I/O).

    Returns:
        ``author_email`` (per author, None for most) and ``customers``: column lists
        of the records, with ``emails`` and ``handles`` as lists per customer.
    """
    rng = np.random.default_rng(seed + 1)
    n_auth = len(authors["handle"])
    chosen = np.flatnonzero(rng.random(n_auth) < CUSTOMER_SHARE)
    evidence = rng.choice(len(EVIDENCE), size=len(chosen), p=EVIDENCE_SHARE)
    n_plain = len(chosen) // 5
    n = len(chosen) + n_plain
    tier = rng.choice(len(TIERS), size=n, p=TIER_SHARE)
    value = np.round(TIER_VALUE[tier] * rng.lognormal(0.0, 0.6, size=n), 2)
    start = (end - timedelta(days=365 * 10)).date()
    since = [start + timedelta(days=int(d)) for d in rng.integers(0, 365 * 10 - 30, size=n)]
    tickets = rng.poisson(np.where(tier == 0, 1.5, 0.4))
    author_email: list[str | None] = [None] * n_auth
    names, emails, handles = [], [], []
    for i, who in enumerate(chosen):
        handle = authors["handle"][who]
        names.append(authors["name"][who])
        kind = EVIDENCE[evidence[i]]
        mail = f"{handle}@mail.example"
        if kind == "handle":
            emails.append([f"{handle}@{_company(i)}"])
            handles.append([{"channel": authors["channel"][who], "handle": handle.lower()}])
        elif kind == "email":
            author_email[who] = mail
            emails.append([mail])
            handles.append([])
        elif kind == "email_local":
            emails.append([f"{handle.lower()}@{_company(i)}"])
            handles.append([])
        else:
            emails.append([f"c{i}.{handle[:3]}@{_company(i)}"])
            handles.append([])
    for j in range(n_plain):
        names.append(f"Customer {j + 1}")
        emails.append([f"buyer{j + 1}@shop{j % 97}.example"])
        handles.append([])
    return {
        "author_email": author_email,
        "customers": {
            "external_id": [f"CRM-{100000 + i}" for i in range(n)],
            "name": names,
            "tier": [TIERS[t] for t in tier],
            "value": value,
            "since": since,
            "open_tickets": tickets.astype(np.int32),
            "extra": [
                f'{{"region": "{REGIONS[i % 4]}", "account_manager": "{MANAGERS[i % 4]}"}}'
                for i in range(n)
            ],
            "emails": emails,
            "handles": handles,
        },
    }


def _company(i: int) -> str:
    return f"company{i % 211}.example"


def write_customers(cur, plan: dict) -> None:
    """Insert the planned records and their identifiers (inside the caller's write)."""
    from engage_desktop.workspace.columns import ColumnTable

    c = plan["customers"]
    n = len(c["external_id"])
    table = ColumnTable(
        {
            "id": np.arange(1, n + 1),
            "external_id": c["external_id"],
            "name": c["name"],
            "tier": c["tier"],
            "value": c["value"],
            "since": c["since"],  # datetime.date objects: DuckDB reads them as DATE
            "open_tickets": c["open_tickets"],
            "extra": c["extra"],
        }
    )
    owner = [i + 1 for i, mails in enumerate(c["emails"]) for _ in mails]
    mails = [m for mails in c["emails"] for m in mails]
    h_owner = [i + 1 for i, hs in enumerate(c["handles"]) for _ in hs]
    h_rows = [h for hs in c["handles"] for h in hs]
    email_tbl = ColumnTable(customer_id=np.array(owner, dtype=np.int64), email=mails)
    handle_tbl = ColumnTable(
        {
            "customer_id": np.array(h_owner, dtype=np.int64),
            "channel": [h["channel"] for h in h_rows],
            "handle": [h["handle"] for h in h_rows],
        }
    )
    cur.register("demo_customers", table)
    cur.register("demo_customer_emails", email_tbl)
    cur.register("demo_customer_handles", handle_tbl)
    cur.execute(
        "INSERT INTO customers BY NAME SELECT * REPLACE (extra::JSON AS extra) FROM demo_customers"
    )
    cur.execute("INSERT INTO customer_emails BY NAME SELECT * FROM demo_customer_emails")
    cur.execute("INSERT INTO customer_handles BY NAME SELECT * FROM demo_customer_handles")
    for name in ("demo_customers", "demo_customer_emails", "demo_customer_handles"):
        cur.unregister(name)
