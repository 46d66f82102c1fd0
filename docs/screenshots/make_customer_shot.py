"""Render the README's picture of the author panel with a linked customer.

Usage: python docs/screenshots/make_customer_shot.py DEMO.engage docs/screenshots

On a copy of the demo: a top-tier customer linked by e-mail, with a second account
merged in by hand (as a user would in the author panel), opened in the inbox.
"""

from __future__ import annotations

import sys

from shot_window import close_copy, main_window, open_copy, settle, themed_app

CUSTOMER = (
    "SELECT l.author_id, l.customer_id FROM customer_links l "
    "JOIN customers c ON c.id = l.customer_id JOIN authors a ON a.id = l.author_id "
    "WHERE l.rule = 'email' AND c.tier = 'Enterprise' AND c.open_tickets > 0 "
    "ORDER BY a.mention_count DESC LIMIT 1"
)
OTHER_ACCOUNT = (
    "SELECT a.id FROM authors a WHERE a.channel <> ? AND a.mention_count >= 5 "
    "AND a.id NOT IN (SELECT author_id FROM customer_links) ORDER BY a.id LIMIT 1"
)


def main(source: str, out: str) -> None:
    """Open a copy of ``source`` in the main window and save customer-panel.png."""
    from engage_desktop.crm import identity
    from engage_desktop.inbox.filters import InboxFilter

    themed_app()
    ws = open_copy(source)
    author, customer = ws.cursor().execute(CUSTOMER).fetchone()
    channel = ws.scalar("SELECT channel FROM authors WHERE id = ?", [author])
    other = ws.scalar(OTHER_ACCOUNT, [channel])
    identity.link(ws, other, customer)
    win = main_window(ws, view="inbox")
    inbox = win.inbox

    settle(inbox.tasks)
    name = ws.scalar("SELECT name FROM authors WHERE id = ?", [author])
    external = ws.scalar("SELECT external_id FROM customers WHERE id = ?", [customer])
    inbox.filter_bar.set_filter(InboxFilter(customer=external))
    settle(inbox.tasks)
    inbox.select_row(0)
    inbox.show_author_tab()
    inbox.reading.setSizes([300, 600])  # room for the author panel, as a user would drag
    settle(inbox.tasks)
    print(f"author {author} ({name}) + {other} -> customer {customer}")
    win.grab().save(f"{out}/inbox-customer.png")
    win.close()
    close_copy(ws)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
