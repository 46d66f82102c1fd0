"""Priority that weighs customer value: a workspace setting, off by default.

With ``priority.customer_value_weight`` = W (0-50 points; 0, the default, is off)::

    priority = (100 - W) / 100 x base + W x customer_value

where ``base`` is the usual formula (``engage_desktop.enrich.store.PRIORITY_SQL``) and
customer_value is the value rank of the author's customer (``customers.value_rank``,
copied onto each mention as ``customer_rank``: the most valuable customer 1.0, the
median about 0.5; 0 for authors who are not customers). Priority stays within
0-100. The expression itself lives beside the base formula
(:func:`engage_desktop.enrich.store.priority_sql`), so every recomputation (status,
reply, sentiment) uses it.
"""

from __future__ import annotations

from engage_desktop.core.errors import InvalidInput
from engage_desktop.enrich.store import (
    MAX_CUSTOMER_WEIGHT,
    update_priority,
)
from engage_desktop.workspace import settings as S
from engage_desktop.workspace.database import Workspace


def set_customer_weight(ws: Workspace, weight: float) -> int:
    """Change the weight and recompute every mention's priority; returns mentions updated.

    Raises:
        InvalidInput: The weight is outside 0-50.
    """
    if not 0 <= weight <= MAX_CUSTOMER_WEIGHT:
        raise InvalidInput(
            f"the customer value weight is 0 to {MAX_CUSTOMER_WEIGHT:.0f} points; got {weight}"
        )
    S.put(ws, S.CUSTOMER_VALUE_WEIGHT, float(weight))
    with ws.write() as cur:
        update_priority(cur)
        return int(cur.execute("SELECT count(*) FROM mentions").fetchone()[0])
