"""Errors that reach the user as one line.

Every failure the user can cause or fix is an :class:`EngageError` whose message
says what happened and what to do. The CLI prints it on one line; the GUI shows it
in a message box or the status bar. Anything else is a bug and shows as such.
"""

from __future__ import annotations


class EngageError(Exception):
    """A failure with a message written for the user."""


class UsageError(EngageError):
    """The command was called wrongly (exit status 2)."""


class WorkspaceError(EngageError):
    """A workspace file cannot be opened or used."""

    def __init__(self, message: str, path: object = None) -> None:
        super().__init__(message)
        self.path = path


class WorkspaceLockedError(WorkspaceError):
    """Another process holds the workspace open."""

    def __init__(self, message: str, path: object = None, pid: int | None = None) -> None:
        super().__init__(message, path)
        self.pid = pid


class NotAWorkspaceError(WorkspaceError):
    """The file is not an engage_desktop workspace."""


class WorkspaceTooNewError(WorkspaceError):
    """The workspace was written by a newer version of engage_desktop."""


class ReadOnlyError(WorkspaceError):
    """A write was attempted on a workspace opened read-only."""
