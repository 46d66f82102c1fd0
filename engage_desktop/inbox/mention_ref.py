"""Naming a mention on the command line: our id, or the id it had in another tool.

Every command that takes a mention takes either: ``4821`` (our id, as in every
export's ``id`` column) or the ``external_id`` an import kept (``rid-00017-x``, a
URL, a UUID, another tool's number). A number that is one of our ids means that
mention; otherwise it is looked up as an external id. ``ext:VALUE`` always means
an external id, for the rare number that is both.
"""

from __future__ import annotations

from collections.abc import Sequence

from engage_desktop.core.errors import InvalidInput, NotFound
from engage_desktop.workspace.database import Workspace

EXTERNAL_PREFIX = "ext:"


def resolve_mentions(ws: Workspace, refs: Sequence[str | int]) -> list[int]:
    """Our ids of the mentions ``refs`` name, in order (duplicates dropped).

    Raises:
        NotFound: A reference names no mention.
        InvalidInput: An external id names several.
    """
    texts = [str(r).strip() for r in refs]
    ours = [int(t) for t in texts if t.isdigit() and len(t) < 19]
    ext = [t.removeprefix(EXTERNAL_PREFIX) for t in texts]
    cur = ws.cursor()
    try:
        known = {
            int(r[0])
            for r in cur.execute(
                "SELECT id FROM mentions WHERE id IN (SELECT unnest(?::BIGINT[]))", [ours]
            ).fetchall()
        }
        by_ext: dict[str, list[int]] = {}
        for value, mid in cur.execute(
            "SELECT external_id, id FROM mentions "
            "WHERE external_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY id",
            [ext],
        ).fetchall():
            by_ext.setdefault(str(value), []).append(int(mid))
    finally:
        cur.close()
    found: list[int] = []
    missing: list[str] = []
    for text, value in zip(texts, ext, strict=True):
        explicit = text.startswith(EXTERNAL_PREFIX)
        if not explicit and text.isdigit() and len(text) < 19 and int(text) in known:
            found.append(int(text))
            continue
        matches = by_ext.get(value, [])
        if len(matches) > 1:
            listed = ", ".join(str(m) for m in matches[:5])
            raise InvalidInput(
                f"external id {value!r} names {len(matches)} mentions ({listed}); "
                "give our id instead"
            )
        if matches:
            found.append(matches[0])
        else:
            missing.append(text)
    if missing:
        shown = ", ".join(repr(m) if not m.isdigit() else m for m in missing[:5])
        raise NotFound(
            f"no mention with id or external id {shown}; ids are in 'engage-desktop export "
            "mentions' and 'inbox list'"
        )
    return list(dict.fromkeys(found))


def resolve_mention(ws: Workspace, ref: str | int) -> int:
    """Our id of the one mention ``ref`` names; see :func:`resolve_mentions`."""
    return resolve_mentions(ws, [ref])[0]
