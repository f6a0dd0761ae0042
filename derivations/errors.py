"""Every error a run can end with, in one tree; each class knows its exit code, and the CLI
catches the tree in one place (``cli/main.py``).  Code decides by class, never by message.

- ``InputProblem`` (exit 2): something in a file, an expression, a declaration or a template
  that a person must fix; it says where and, where it can, how.
- ``UsageError`` (exit 2): a request that names nothing, something unknown, or a bad option.
- ``NotVerified`` (exit 1): a document asked for a chain that did not pass.
- ``InternalError`` (exit 3): a fault of this program, never of the input; it asks to be
  reported, so that an autograder can tell a crash (3) from a refuted step (1).

Importing this module imports nothing else, so every layer (the kernel too) can use it.
"""

from __future__ import annotations

from dataclasses import dataclass

PASSED, FAILED, INPUT, INTERNAL = 0, 1, 2, 3  # the exit codes


class DerivationsError(Exception):
    """The root of the tree."""

    exit_code = INTERNAL


class InputProblem(DerivationsError, ValueError):
    """Input a person must fix (exit 2)."""

    exit_code = INPUT


class UsageError(DerivationsError, ValueError):
    """A request that names nothing, something unknown, or an option out of range (exit 2)."""

    exit_code = INPUT


class NotVerified(DerivationsError):
    """A document was asked for a chain that did not pass (exit 1, like a failed check)."""

    exit_code = FAILED


class InternalError(DerivationsError):
    """A fault of this program (exit 3): the message asks for a report."""

    exit_code = INTERNAL

    def __init__(self, what: str, cause: BaseException | None = None):
        detail = f": {type(cause).__name__}: {cause}" if cause is not None else ""
        super().__init__(f"internal error while {what}{detail}. This is a bug in derivations, "
                         "not in your input: please report it to its maintainers with the "
                         "command, the file and this message")


@dataclass
class InputError(InputProblem):
    """An error in a file: ``path:line:column: message`` (line and column from 1)."""

    path: str
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.column}" if self.line else self.path
        return f"{where}: {self.message}"
