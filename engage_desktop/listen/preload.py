"""Imported by the parse pool's fork server: loads what every parse worker needs.

``multiprocessing`` fork servers preload *modules*; importing this one also loads
the VADER lexicon and the query parser (see
:func:`engage_desktop.listen.worker.warm_up`), so every worker forked
afterwards starts with them in memory instead of loading them again per run.
Workers return their rows as JSON text, so neither pyarrow nor numpy nor pandas is
loaded here.
"""

from __future__ import annotations

from engage_desktop.listen.worker import warm_up

warm_up()
