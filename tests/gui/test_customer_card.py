"""The customer card in the author panel: record, suggestions, link, unlink, undo."""

from __future__ import annotations

import pytest

from tests.gui.waiting import TIMEOUT_S


@pytest.fixture
def inbox(window, qtbot):
    window.show_view("inbox")
    view = window.inbox
    qtbot.waitUntil(lambda: not view.tasks.running())
    assert window.settle(TIMEOUT_S)
    yield view
    qtbot.waitUntil(lambda: not view.tasks.running())


def _open_author(inbox, qtbot, author_id):
    card = inbox.author_panel.customer_card
    mention = inbox.ws.scalar("SELECT max(id) FROM mentions WHERE author_id = ?", [author_id])
    with qtbot.waitSignal(card.loaded):
        inbox.open_mention_id(mention)
    return card


def test_card_shows_the_linked_customer_and_splits_merges_undoes(inbox, qtbot):
    ws = inbox.ws
    author_id, external, tier = (
        ws.cursor()
        .execute(
            "SELECT l.author_id, c.external_id, c.tier FROM customer_links l "
            "JOIN customers c ON c.id = l.customer_id WHERE c.open_tickets > 0 "
            "ORDER BY c.value DESC LIMIT 1"
        )
        .fetchone()
    )
    card = _open_author(inbox, qtbot, author_id)
    text = card.body.text()
    assert external in text and tier in text and "Open tickets" in text
    assert "account_manager" in text and card.unlink_button.isEnabled()

    with qtbot.waitSignal(card.loaded):
        card.unlink_button.click()
    assert ws.scalar("SELECT count(*) FROM customer_links WHERE author_id = ?", [author_id]) == 0
    assert (
        "Not linked" in card.body.text()
        and f"Unlinked from customer {external}" in card.message.text()
    )
    with qtbot.waitSignal(card.loaded):
        card.undo_button.click()
    assert (
        ws.scalar(
            "SELECT c.external_id FROM customer_links l JOIN customers c ON c.id = l.customer_id "
            "WHERE l.author_id = ?",
            [author_id],
        )
        == external
    )


def test_card_confirms_a_suggested_link(inbox, qtbot):
    ws = inbox.ws
    author_id, customer_id = (
        ws.cursor()
        .execute(
            "SELECT author_id, customer_id FROM customer_suggestions WHERE state = 'pending' "
            "ORDER BY author_id LIMIT 1"
        )
        .fetchone()
    )
    card = _open_author(inbox, qtbot, author_id)
    assert card.suggestions.count() == 1
    row = card.suggestions.itemAt(0).widget()
    confirm = next(b for b in row.findChildren(type(card.link_button)) if b.text() == "Confirm")
    with qtbot.waitSignal(card.loaded):
        confirm.click()
    rule = ws.scalar(
        "SELECT rule FROM customer_links WHERE author_id = ? AND customer_id = ?",
        [author_id, customer_id],
    )
    assert rule.startswith("confirmed: ")
    assert card.suggestions.count() == 0


def test_filter_bar_segments_and_the_card_filter(inbox, qtbot):
    ws = inbox.ws
    bar = inbox.filter_bar
    menu = bar._menus["customer"]
    qtbot.waitUntil(lambda: bool(bar.choices.tiers))  # the choices, read in a task
    menu.aboutToShow.emit()
    texts = [a.text() for a in menu.actions()]
    assert "Customers only" in texts and "Top tier (Enterprise)" in texts
    assert any(t.startswith("Top 10 % (≥ ") for t in texts)
    next(a for a in menu.actions() if a.text() == "Customers only").trigger()
    expected = ws.scalar(
        "SELECT count(*) FROM mentions WHERE author_id IN (SELECT author_id FROM customer_links)"
    )
    qtbot.waitUntil(lambda: inbox.model.rowCount() == expected)
    assert bar.buttons["customer"].text() == "Customer: customers"

    author_id, external = (
        ws.cursor()
        .execute(
            "SELECT l.author_id, c.external_id FROM customer_links l "
            "JOIN customers c ON c.id = l.customer_id ORDER BY l.author_id LIMIT 1"
        )
        .fetchone()
    )
    card = _open_author(inbox, qtbot, author_id)
    card.all_button.click()
    assert bar.filter.customer == external
    own = ws.scalar(
        "SELECT count(*) FROM mentions WHERE author_id IN (SELECT author_id FROM customer_links "
        "WHERE customer_id = (SELECT id FROM customers WHERE external_id = ?))",
        [external],
    )
    qtbot.waitUntil(lambda: inbox.model.rowCount() == own)


def test_customers_menu_imports_and_ranks_advocates(window, qtbot, tmp_path):
    import csv

    ws = window.ws
    handle, channel = (
        ws.cursor()
        .execute(
            "SELECT handle, channel FROM authors WHERE id NOT IN "
            "(SELECT author_id FROM customer_links) ORDER BY id LIMIT 1"
        )
        .fetchone()
    )
    export = tmp_path / "crm.csv"
    export.write_text(f"customer_id,name,tier,{channel}\nNEW-1,New Person,Pro,{handle}\n")
    task = window.import_customers(str(export))
    with qtbot.waitSignal(task.done):
        pass
    assert "1 added" in window.statusBar().currentMessage()
    assert "1 authors linked" in window.statusBar().currentMessage()
    assert (
        ws.scalar(
            "SELECT count(*) FROM customer_links l JOIN customers c ON c.id = l.customer_id "
            "WHERE c.external_id = 'NEW-1'"
        )
        == 1
    )

    dialog = window.show_advocates()
    with qtbot.waitSignal(dialog.loaded):
        pass
    assert dialog.table.rowCount() == len(dialog.ranked) > 0
    assert dialog.table.item(0, 0).text() == "1"
    out = tmp_path / "advocates.csv"
    dialog.export_to(str(out))
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == len(dialog.ranked) and rows[0]["author_id"] == str(
        dialog.ranked[0].author_id
    )
    dialog.close()


def test_composer_shows_the_customer_and_fills_customer_variables(window, qtbot):
    from engage_desktop.composer.saved_replies import save_saved_reply

    ws, composer = window.ws, window.composer
    mention_id, name, tier, external = (
        ws.cursor()
        .execute(
            "SELECT max(m.id), c.name, c.tier, c.external_id FROM mentions m "
            "JOIN customer_links l ON l.author_id = m.author_id "
            "JOIN customers c ON c.id = l.customer_id GROUP BY ALL "
            "ORDER BY max(c.value) DESC LIMIT 1"
        )
        .fetchone()
    )
    save_saved_reply(ws, "Tier thanks", "Dear {customer_first_name}, as a {tier} customer")
    window.show_view("composer")
    composer.set_mention(mention_id)
    qtbot.waitUntil(lambda: composer.mention_id == mention_id)
    context = composer.context.toPlainText()
    assert "Customer" in context and tier in context and external in context
    assert "Open tickets" in context and "Customer since" in context
    composer.choose_saved_reply()
    composer.picker.search.setText("tier thanks")
    composer.picker.accept()
    assert composer.editor.toPlainText() == f"Dear {name.split()[0]}, as a {tier} customer"
