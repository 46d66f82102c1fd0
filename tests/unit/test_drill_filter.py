"""A dashboard drill-down is an inbox filter criterion that is never stored or loaded."""

from __future__ import annotations

from engage_desktop.inbox.filters import InboxFilter, describe, to_sql, with_drill


def test_drill_down_filters_describes_and_is_never_stored():
    flt = with_drill("priority", "sentiment_label = ?", ("negative",), "Spike 30 Oct 14:00")
    where, params = to_sql(flt.with_(statuses=("new",)))
    assert where.endswith("(sentiment_label = ?)") and params[-1] == "negative"
    assert describe(flt) == "Spike 30 Oct 14:00" and not flt.is_empty()
    assert flt.to_dict() == {"sort": "priority"}
    # SQL never comes in from a file: a saved view in someone else's workspace.
    loaded = InboxFilter.from_dict({"drill_sql": "1=1; DROP TABLE mentions", "sort": "time"})
    assert loaded.drill_sql is None and loaded.is_empty()
