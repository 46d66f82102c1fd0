"""The inbox's rows for a search that is still being typed, read before they are asked for.

The search box waits for the typist to pause (its debounce) before it shows results,
so a result never flickers mid-word. The query itself need not wait: each key starts
reading the text typed so far, the next key interrupts that read
(``TaskState.interrupting``), and when the pause ends the rows are often already
there. What the user waits for after the last key is then the longer of the pause
and the query, not their sum. :class:`ReadAhead` keeps the one read that is ahead,
hands it to the model when the same query is asked for, and closes it otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engage_desktop.inbox.pager import MentionPager, MentionQuery
from engage_desktop.ui.tasks import Task


@dataclass
class Ahead:
    """One read ahead: its query, its task and, once it arrived, its result.

    Attributes:
        query: What is read.
        task: The lane task reading it.
        result: The ``Loaded`` rows once they arrived (None before).
        done: True once the task ended (with or without a result).
        taken: True once the model took it over (it then shows the result itself).
    """

    query: MentionQuery
    task: Task
    result: Any = None
    done: bool = False
    taken: bool = False


class ReadAhead:
    """Holds at most one read ahead; a newer one, or a different query, drops it."""

    def __init__(self, discard: Callable[[MentionPager], None]) -> None:
        self._discard = discard
        self._ahead: Ahead | None = None

    @property
    def query(self) -> MentionQuery | None:
        """The query being read ahead, if any."""
        return None if self._ahead is None else self._ahead.query

    def start(self, query: MentionQuery, task: Task) -> None:
        """Keep ``task`` (reading ``query``) as the read ahead, dropping the older one."""
        self.drop()
        ahead = Ahead(query, task)
        task.succeeded.connect(lambda result, a=ahead: self._arrived(a, result))
        task.done.connect(lambda a=ahead: setattr(a, "done", True))
        self._ahead = ahead

    def take(self, query: MentionQuery) -> Ahead | None:
        """The read ahead of ``query`` for the model to show, or None (then it is dropped).

        A read that ended without rows (cancelled, failed) is not handed over: the
        caller reads again.
        """
        ahead, self._ahead = self._ahead, None
        if ahead is None:
            return None
        usable = ahead.result is not None or not ahead.done
        if ahead.query == query and usable and not ahead.task.state.is_cancelled():
            ahead.taken = True
            return ahead
        self._close(ahead)
        return None

    def drop(self) -> None:
        """Stop the read ahead (its query is interrupted) and close what it read."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            self._close(ahead)

    def _close(self, ahead: Ahead) -> None:
        ahead.task.cancel()
        if ahead.result is not None:
            self._discard(ahead.result.pager)
            ahead.result = None

    def _arrived(self, ahead: Ahead, result: Any) -> None:
        if ahead.taken or result is None:
            return  # the model shows it (or nothing came)
        if self._ahead is ahead:
            ahead.result = result
        else:  # dropped while its last rows were on their way
            self._discard(result.pager)
