"""The composition root's plugins: stages register with the stages below them here.

A stage may not import the stages above it (the layers contract in pyproject.toml),
so enrichment cannot name the CRM, whose after-insert hook gives new mentions of
known customers their customer. The app and the command line call
:func:`install_plugins` at start-up; the import below is one the layers contract
sees and allows (cli and ui sit above every stage).
"""

from __future__ import annotations


def install_plugins() -> None:
    """Register every stage's after-insert hooks (idempotent), after the built-ins."""
    from engage_desktop.crm.segments import after_insert as customers_after_insert
    from engage_desktop.enrich.hooks import register_after_insert

    register_after_insert(customers_after_insert)
