"""Errors that reach the user as one line.

Every failure the user can cause or fix is an :class:`EngageError` whose message
says what happened and what to do. The stages raise the kind that names what went
wrong (:class:`InvalidInput`, :class:`NotFound`, :class:`Conflict`, the workspace
errors); only the CLI knows about usage and exit statuses (``cli/errors.py``).
The CLI prints the message on one line; the GUI shows it in a message box or the
status bar. Anything else is a bug and shows as such.
"""

from __future__ import annotations


class EngageError(Exception):
    """A failure with a message written for the user."""


class InvalidInput(EngageError):
    """A value the user gave cannot be used: a malformed date, pattern, file type or map.

    The user fixes it by giving another value; the CLI exits with status 2.
    """


class NotFound(EngageError):
    """Something the user named does not exist: a topic, author, rule, setting, file.

    The CLI exits with status 2: the name was wrong, nothing failed.
    """


class Conflict(EngageError):
    """The request clashes with what is stored: a name taken, nothing to undo, no link.

    The CLI exits with status 2: the user chooses another name or action.
    """


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


class OpenStoppedError(WorkspaceError):
    """Opening (or migrating) the workspace was stopped before it finished (a window
    closed while it opened); the file is left as it was before."""


class ReadOnlyError(WorkspaceError):
    """A write was attempted on a workspace opened read-only."""
