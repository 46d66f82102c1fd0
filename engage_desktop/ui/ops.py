"""Reads as tasks, writes through one writer, and the record of what a write changed.

The GUI thread never waits on the workspace. A read is a plain function run as a task
(:meth:`Operations.read`); its result lands on the GUI thread. A write is a plain
function run in the ``writer`` lane of the task runner, a single thread that takes
every write the window makes in the order it was asked (:meth:`Operations.write`).
When it is done, :attr:`Operations.changed` carries an :class:`OpChanges` that says
what moved, and each view refreshes what it shows from that record. This is Anki's
``CollectionOp`` / ``OpChanges`` (``qt/aqt/operations/``) in our terms.

Long background jobs (a fetch, the sentiment backfill, an import) keep their own
tasks, which write in chunks through :meth:`Workspace.write`; they announce their end
with :meth:`Operations.publish`, so one signal tells every view what changed.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from PySide6.QtCore import QObject, Signal

from engage_desktop.ui.tasks import Task, TaskRunner

WRITER = "writer"


@dataclass(frozen=True)
class OpChanges:
    """What a write changed; views refresh the parts they show.

    Attributes:
        mentions: Mentions were added or removed (counts and lists move).
        triage: Status, tags, owner, read or star flags changed in place.
        sentiment: Sentiment labels changed (corrections, a re-score).
        notes: Notes on mentions or people.
        drafts: Drafts and their approval state.
        outbox: Replies queued, sent, failed or marked as sent (statuses and
            response times move with them).
        sources: Sources or watch queries.
        settings: Workspace settings (names, rules, SLA…).
        views: Saved views.
        customers: Customer records or their links to authors.
    """

    mentions: bool = False
    triage: bool = False
    sentiment: bool = False
    notes: bool = False
    drafts: bool = False
    outbox: bool = False
    sources: bool = False
    settings: bool = False
    views: bool = False
    customers: bool = False

    @classmethod
    def everything(cls) -> OpChanges:
        """After a command-line run or an attached archive: anything may have moved."""
        return cls(**{f.name: True for f in fields(cls)})

    def __or__(self, other: OpChanges) -> OpChanges:
        return OpChanges(
            **{f.name: getattr(self, f.name) or getattr(other, f.name) for f in fields(self)}
        )

    def rows_moved(self) -> bool:
        """Anything an inbox row, a count or a chart shows."""
        return self.mentions or self.triage or self.sentiment or self.outbox

    def names(self) -> list[str]:
        """The parts that changed (for logs and tests)."""
        return [f.name for f in fields(self) if getattr(self, f.name)]


def _call(_state: Any, fn: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
    return fn(*args, **kwargs)


class Operations(QObject):
    """The window's one way to read and write the workspace."""

    changed = Signal(object, object)  # OpChanges, the initiator (or None)

    def __init__(self, tasks: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self._serial = itertools.count(1)

    def read(self, key: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Task:
        """Run ``fn(*args, **kwargs)`` off the GUI thread; a newer ``key`` read wins."""
        return self.tasks.start(key, _call, fn, args, kwargs)

    def write(
        self,
        changes: OpChanges,
        fn: Callable[..., Any],
        *args: Any,
        initiator: object = None,
        **kwargs: Any,
    ) -> Task:
        """Run ``fn(*args, **kwargs)`` on the writer thread, after every earlier write.

        A write is never cancelled by a newer one. When it succeeds, :attr:`changed`
        carries ``changes`` and the ``initiator`` (a view may skip its own echo).
        """
        # The key is this object's own: a second Operations on the same runner (a
        # widget made without the window's) must not cancel the window's writes.
        key = f"write-{id(self):x}-{next(self._serial)}"
        task = self.tasks.start_in(WRITER, key, _call, fn, args, kwargs)
        task.succeeded.connect(lambda _result: self.publish(changes, initiator))
        return task

    def publish(self, changes: OpChanges, initiator: object = None) -> None:
        """Tell every view what changed (also for background jobs that wrote)."""
        self.changed.emit(changes, initiator)
