"""Render the README's learned-model pictures on a copy of a demo workspace.

Usage: python docs/screenshots/make_learn_shots.py DEMO.engage docs/screenshots

learn-teach.png: the inbox's "Teach the model" view (least certain first, spread
over channels and topics), before any correction. learn-model-card.png: the
dashboard's model card after 160 corrections made over four weeks (the analyst
marks anyone who waited on hold as negative, which VADER calls neutral), trained
and applied with ``engage-desktop learn``'s own functions. The correction dates are
spread by hand so the card's weekly agreement has points to show.
"""

from __future__ import annotations

import sys

from shot_window import close_copy, main_window, open_copy, settle, themed_app


def main(source: str, out: str) -> None:
    """Open a copy of ``source`` in the main window and save two PNGs to ``out``."""
    from engage_desktop.enrich.learned.apply import rescore
    from engage_desktop.enrich.learned.corrections import set_corrections
    from engage_desktop.enrich.learned.train import train_workspace

    themed_app()
    ws = open_copy(source)
    win = main_window(ws)
    win.show_view("inbox")
    inbox = win.inbox
    settle(inbox.tasks, 3000)
    inbox.sidebar.choose("Teach the model")
    inbox.select_row(0)
    settle(inbox.tasks, 3000)
    win.grab().save(f"{out}/learn-teach.png")

    cur = ws.cursor()
    sample = cur.execute(
        "SELECT id, model_label, text ILIKE '%waited%' FROM mentions "
        "WHERE model_label IN ('positive', 'neutral', 'negative') "
        "ORDER BY text ILIKE '%waited%' DESC, hash(id) LIMIT 160"
    ).fetchall()
    set_corrections(ws, [(i, "negative" if w else lab) for i, lab, w in sample], "analyst")
    with ws.write() as w:
        w.execute(
            "UPDATE sentiment_corrections SET corrected_at = now() - "
            "to_days(CAST(hash(mention_id) % 28 AS INTEGER))"
        )
    train_workspace(ws)
    rescore(ws)
    win.show_view("dashboard")
    win.dashboard.refresh()
    settle(win.tasks, 3000)
    win.dashboard.scroll.ensureWidgetVisible(win.dashboard.model_card)
    settle(win.tasks, 3000)
    win.grab().save(f"{out}/learn-model-card.png")
    win.show_view("inbox")
    inbox.sidebar.choose("Teach the model")
    inbox.select_row(0)
    settle(inbox.tasks, 3000)
    win.grab().save(f"{out}/learn-teach-after.png")
    win.close()
    close_copy(ws)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
