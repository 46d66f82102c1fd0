"""Render the README's inbox pictures on a copy of a demo workspace.

Usage: python docs/screenshots/make_inbox_shots.py DEMO.engage docs/screenshots

inbox-triage.png: a search with highlighted matches and three rows selected for a
bulk action. inbox-author.png: one author's mentions with the author panel (a
detractor flag, tags and a private note added first, as a user would).
"""

from __future__ import annotations

import sys

from shot_window import close_copy, main_window, open_copy, settle, themed_app

PROLIFIC_AUTHOR = (
    "SELECT author_id FROM mentions m JOIN authors a ON a.id = m.author_id "
    "WHERE a.followers > 800 GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
)


def main(source: str, out: str) -> None:
    """Open a copy of ``source`` in the main window and save two PNGs to ``out``."""
    from engage_desktop.inbox import notes, people
    from engage_desktop.inbox.filters import InboxFilter

    themed_app()
    ws = open_copy(source)
    win = main_window(ws, view="inbox")
    inbox = win.inbox

    settle(inbox.tasks, 100)
    inbox.filter_bar.search.setText("router")
    inbox.filter_bar.apply_search()
    for row in (0, 3, 4):
        inbox.model.toggle_mark(row)
    inbox.select_row(1)
    settle(inbox.tasks, 100)
    win.grab().save(f"{out}/inbox-triage.png")

    inbox.model.clear_marks()
    inbox.filter_bar.set_filter(InboxFilter())
    author = ws.scalar(PROLIFIC_AUTHOR)
    people.set_author_flag(ws, author, "detractor")
    people.set_author_tags(ws, author, ["router-x2", "repeat-complaint"])
    notes.add_note(
        ws, "Third router this month; offered a replacement on 12 Oct.", author_id=author
    )
    inbox.filter_by_author(author, ws.scalar("SELECT name FROM authors WHERE id = ?", [author]))
    inbox.select_row(0)
    inbox.show_author_tab()
    settle(inbox.tasks, 100)
    win.grab().save(f"{out}/inbox-author.png")
    win.close()
    close_copy(ws)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
