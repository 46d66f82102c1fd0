"""The mention pane reads one mention ahead of the user, as a feed reader does.

Moving with j/k, the next mention's pane waited for its own read (the mention, its
thread, replies, notes, correction and author: eight queries) after the key: on the
1M demo about 10 ms on a quiet machine and several times that while a backfill and a
fetch run, most of the key-to-pane time in ``benchmarks/responsiveness.py``. Once a
mention is shown, the one the user is heading to (the next row in the direction they
move) is read in the background; when they get there it is shown at once. In a
steady run of keys that is still one read per key, only earlier.

What is kept is dropped whenever the workspace changes (the writer's record) and
after :data:`FRESH_S`, so a pane never shows older values than a read at the key
would have, beyond what the table's own rows show.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from engage_desktop.ui.tasks import TaskRunner

#: How long a detail read ahead may wait to be shown (s).
FRESH_S = 10.0
#: How many details are kept (the ones around the current row).
KEEP = 4
#: ``take`` found nothing usable.
MISSING = object()


class DetailAhead(QObject):
    """Details read before they are asked for, keyed by mention id.

    Args:
        tasks: Where the reads run.
        read: ``read(state, mention_id)``: the detail of one mention (a task function).
    """

    arrived = Signal(int)  # a mention's detail read ahead is now kept
    lost = Signal(int)  # a read ahead ended without keeping anything (failed, dropped)

    def __init__(self, tasks: TaskRunner, read: Callable[..., Any], parent=None) -> None:
        super().__init__(parent)
        self.tasks = tasks
        self._read = read
        self._kept: OrderedDict[int, tuple[float, Any]] = OrderedDict()
        self._pending: int | None = None
        self._generation = 0

    def take(self, mention_id: int) -> Any:
        """The kept detail of ``mention_id`` (None when it is gone), else :data:`MISSING`."""
        found = self._kept.get(mention_id)
        if found is None or time.monotonic() - found[0] > FRESH_S:
            return MISSING
        return found[1]

    def pending(self, mention_id: int) -> bool:
        """True while ``mention_id`` is being read ahead (:attr:`arrived` follows)."""
        return self._pending == mention_id

    def keep(self, mention_id: int, detail: Any) -> None:
        """Keep a detail just read (at the key or ahead), the oldest ones making room."""
        self._kept[mention_id] = (time.monotonic(), detail)
        self._kept.move_to_end(mention_id)
        while len(self._kept) > KEEP:
            self._kept.popitem(last=False)

    def read_ahead(self, mention_id: int | None) -> None:
        """Read ``mention_id`` in the background unless it is kept or on its way."""
        if mention_id is None or self._pending == mention_id:
            return
        if self.take(mention_id) is not MISSING:
            return
        self._pending = mention_id
        generation = self._generation
        task = self.tasks.start("inbox-detail-ahead", self._read, mention_id)
        task.succeeded.connect(
            lambda detail, i=mention_id, g=generation: self._arrived(i, detail, g)
        )
        task.done.connect(lambda i=mention_id, g=generation: self._done(i, g))

    def _arrived(self, mention_id: int, detail: Any, generation: int) -> None:
        if self.tasks.closed or generation != self._generation:  # closing, or changed
            return
        self.keep(mention_id, detail)
        self.arrived.emit(mention_id)

    def _done(self, mention_id: int, generation: int) -> None:
        # Closing (the view may be gone), or clear() has said it is lost already.
        if self.tasks.closed or generation != self._generation:
            return
        if self._pending == mention_id:
            self._pending = None
        if self.take(mention_id) is MISSING:  # whoever waits for it must read it now
            self.lost.emit(mention_id)

    def clear(self) -> None:
        """Forget everything kept and ignore reads on their way (the workspace changed)."""
        self._generation += 1
        self._kept.clear()
        pending, self._pending = self._pending, None
        if pending is not None:
            self.lost.emit(pending)
