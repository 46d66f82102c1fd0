"""Plugins that run after new mentions are stored (the after-insert hook).

Whoever stores new mentions (fetching, importing) calls :func:`run_after_insert`
with the new ids; every registered hook then runs in order with the workspace,
those ids and a task state (progress and cancellation), like lemon24/reader's
after-entry-update plugins. Enrichment (sentiment, language, intents, priority,
author profiles) is the built-in hook.

Enrichment's own hooks are named by dotted path and imported on first use, so
storing mentions does not pay for importing the sentiment engine until it is needed.
Hooks of higher stages are registered by the app's and the CLI's composition root
(:mod:`engage_desktop.cli.plugins`), after the built-ins.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import Any

from engage_desktop.core.progress import TaskState

#: A hook: ``hook(ws, mention_ids, state)``; ``state`` may be None.
AfterInsertHook = Callable[[Any, Sequence[int], "TaskState | None"], object]

#: Hooks every workspace gets, as "module:function".
BUILTIN_AFTER_INSERT = (
    "engage_desktop.enrich.pipeline:after_insert",
    # The workspace's learned model, when it has one, after VADER.
    "engage_desktop.enrich.learned.hook:after_insert",
)
# Stages above enrichment (the CRM's customer segments) cannot be named here: the
# composition root registers them with register_after_insert (cli/plugins.py).

_after_insert: list[AfterInsertHook] = []
_builtins_loaded = False


def _load_builtins() -> None:
    global _builtins_loaded
    if _builtins_loaded:
        return
    _builtins_loaded = True
    # Built-ins run first, in their listed order (VADER before the learned model).
    for position, dotted in enumerate(BUILTIN_AFTER_INSERT):
        module, _, name = dotted.partition(":")
        hook = getattr(importlib.import_module(module), name)
        if hook not in _after_insert:
            _after_insert.insert(position, hook)


def register_after_insert(hook: AfterInsertHook) -> AfterInsertHook:
    """Add a hook that runs after new mentions are stored (usable as a decorator).

    Returns:
        ``hook`` itself.
    """
    if hook not in _after_insert:
        _after_insert.append(hook)
    return hook


def unregister_after_insert(hook: AfterInsertHook) -> None:
    """Remove a hook added with :func:`register_after_insert`."""
    if hook in _after_insert:
        _after_insert.remove(hook)


def after_insert_hooks() -> list[AfterInsertHook]:
    """The hooks that run after an insert, built-ins first."""
    _load_builtins()
    return list(_after_insert)


def run_after_insert(
    ws: Any,
    mention_ids: Sequence[int],
    state: TaskState | None = None,
    *,
    on_error: Callable[[str, Exception], None] | None = None,
) -> None:
    """Run every after-insert hook on newly stored mentions.

    A hook that raises stops the rest unless ``on_error`` is given: the caller (a
    background task) reports the error, and the mentions stay stored; the next
    backfill picks up what is left.

    Args:
        ws: The open, writable workspace.
        mention_ids: Ids of the mentions just stored.
        state: The running task's state, or None outside a task.
        on_error: Called with the hook's name and the exception, and the next hook
            runs (a fetch must not lose what it stored to a plugin's failure).
    """
    if not mention_ids:
        return
    for hook in after_insert_hooks():
        if state is not None and state.is_cancelled():
            return
        try:
            hook(ws, mention_ids, state)
        except Exception as exc:
            if on_error is None:
                raise
            on_error(getattr(hook, "__qualname__", repr(hook)), exc)
