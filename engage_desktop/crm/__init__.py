"""Social CRM: customer records from a CRM export, beside what their authors said.

The stage sits between the inbox (which reads mentions and authors) and the
composer (which fills saved replies with customer fields):

* :mod:`.records` reads a CRM export (CSV, JSON Lines) into ``customers`` and its
  identifier tables; re-importing updates, never duplicates.
* :mod:`.identity` links author accounts to customers: automatically from exact
  e-mail addresses and handles, as suggestions from weaker evidence, and by hand;
  every change is an event with undo.
* :mod:`.profile` is what the author panel and the composer show about a customer.
* :mod:`.advocates` ranks advocates by an influence estimate.
* :mod:`.priority` lets the inbox priority weigh customer value (off by default).
"""
