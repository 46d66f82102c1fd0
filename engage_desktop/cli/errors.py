"""The command line's own error, and which errors are the caller's to fix.

Only the CLI speaks of "usage": the stages raise errors named for what went wrong
(:mod:`engage_desktop.core.errors`), and :func:`exit_status` maps them to the CLI
contract: 2 when the command was called with something wrong (a bad value, a name
that does not exist, a clash with what is stored), 1 for any other failure.
"""

from __future__ import annotations

from engage_desktop.core.errors import Conflict, EngageError, InvalidInput, NotFound


class UsageError(EngageError):
    """The command was called wrongly: a missing or contradictory argument."""


#: Errors the caller fixes by calling the command differently (exit status 2).
USAGE_ERRORS: tuple[type[EngageError], ...] = (UsageError, InvalidInput, NotFound, Conflict)

#: Exit status of a usage error.
EXIT_USAGE = 2
#: Exit status of any other failure.
EXIT_FAILURE = 1


def exit_status(exc: EngageError) -> int:
    """The exit status of a command that raised ``exc``.

    Returns:
        2 for an error of the caller's (see :data:`USAGE_ERRORS`), else 1.
    """
    return EXIT_USAGE if isinstance(exc, USAGE_ERRORS) else EXIT_FAILURE
