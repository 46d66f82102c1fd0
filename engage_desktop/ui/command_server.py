"""The window as the command line's server: commands on its workspace run here.

One :class:`CommandServer` per window, listening on the workspace's socket
(``cli/handover.py`` names it). A request runs through the same CLI code on a
worker thread (the :class:`TaskRunner`), on the window's open workspace; its output
streams back to the caller, and its progress shows in the window's status bar.
"""

from __future__ import annotations

import json
import shlex

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from engage_desktop.cli import handover
from engage_desktop.core.errors import EngageError
from engage_desktop.ui.tasks import TaskRunner
from engage_desktop.workspace.database import Workspace


class _Relay(QObject):
    """Carries output from the worker thread to the GUI thread (queued)."""

    chunk = Signal(object, str, str)  # the connection, "out" or "err", the text


class CommandServer(QObject):
    """Listens for commands handed over by ``engage-desktop`` runs on this workspace."""

    started = Signal(str)  # the command line, for the status bar
    progressed = Signal(str)  # the command's latest stderr line
    finished = Signal(str, int)  # the command line and its exit status

    def __init__(self, ws: Workspace, tasks: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.tasks = tasks
        self._relay = _Relay(self)
        self._relay.chunk.connect(self._send_chunk)
        self._buffers: dict[QLocalSocket, bytes] = {}
        self._serial = 0
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._accept)
        self.path = ""

    def listen(self) -> bool:
        """Start listening (False, with the reason in ``error``, when it cannot)."""
        try:
            path = str(handover.socket_path(self.ws.path))
        except EngageError as exc:
            self.error = str(exc)
            return False
        # We hold the workspace's lock, so a socket file left there is a crashed window's.
        QLocalServer.removeServer(path)
        if not self.server.listen(path):
            self.error = self.server.errorString()
            return False
        self.path = path
        handover.host(self.ws)
        return True

    def close(self) -> None:
        """Stop listening and let no further command use the workspace."""
        handover.unhost(self.ws)
        if self.server.isListening():
            self.server.close()
        for conn in list(self._buffers):
            conn.abort()
        self._buffers.clear()

    # -- connections -------------------------------------------------------------------

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            conn = self.server.nextPendingConnection()
            self._buffers[conn] = b""
            conn.readyRead.connect(lambda c=conn: self._read(c))
            conn.disconnected.connect(lambda c=conn: self._buffers.pop(c, None))
            conn.disconnected.connect(conn.deleteLater)

    def _read(self, conn: QLocalSocket) -> None:
        if conn not in self._buffers:
            return
        data = self._buffers[conn] + bytes(conn.readAll().data())
        if b"\n" not in data:
            if len(data) > handover.MAX_REQUEST:
                conn.abort()
            else:
                self._buffers[conn] = data
            return
        line = data.split(b"\n", 1)[0]
        self._buffers[conn] = b""
        conn.readyRead.disconnect()
        try:
            request = handover.parse_request(line)
        except EngageError as exc:
            self._write(conn, {"err": f"engage-desktop: {exc}\n"})
            self._write(conn, {"exit": 2})
            conn.disconnectFromServer()
            return
        self._run(conn, request)

    def _run(self, conn: QLocalSocket, request: dict) -> None:
        argv = request["argv"][2:]  # without the "-w PATH" the caller put first
        command = "engage-desktop " + shlex.join(argv)
        self._serial += 1
        relay = self._relay

        def job(_state):
            return handover.run_hosted(
                request,
                lambda text: relay.chunk.emit(conn, "out", text),
                lambda text: relay.chunk.emit(conn, "err", text),
            )

        task = self.tasks.start(f"handed-command-{self._serial}", job)
        task.succeeded.connect(lambda status: self._done(conn, command, int(status)))
        task.failed.connect(lambda message: self._failed(conn, command, message))
        self.started.emit(command)

    def _send_chunk(self, conn: QLocalSocket, kind: str, text: str) -> None:
        if kind == "err":
            last = text.strip().splitlines()
            if last:
                self.progressed.emit(last[-1])
        if conn in self._buffers:
            self._write(conn, {kind: text})

    def _done(self, conn: QLocalSocket, command: str, status: int) -> None:
        if conn in self._buffers:
            self._write(conn, {"exit": status})
            conn.flush()
            conn.disconnectFromServer()
        self.finished.emit(command, status)

    def _failed(self, conn: QLocalSocket, command: str, message: str) -> None:
        if conn in self._buffers:
            self._write(conn, {"err": f"engage-desktop: {message}\n"})
        self._done(conn, command, 1)

    @staticmethod
    def _write(conn: QLocalSocket, message: dict) -> None:
        conn.write(json.dumps(message).encode() + b"\n")
