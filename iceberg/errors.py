"""The two error types for bad input: bad *data* and bad *arguments*.

Every loader and validator raises :class:`IcebergDataError`, naming the file, the row and
column where the problem sits, what was expected and what was found, so a user can open the
file and fix it.

Every check of something a user typed or chose — a CLI option, a scenario lever, a function
argument of the public API — raises :class:`IcebergArgumentError`, naming the option or lever,
the value given and what is allowed.

Both render as one line (no newlines), so the CLI can print ``str(exc)`` and exit with code 2.
Programming errors stay ordinary exceptions with tracebacks.
"""

from __future__ import annotations

from pathlib import Path


class IcebergDataError(ValueError):
    """Bad or missing input data.

    Parameters
    ----------
    message : str
        What went wrong, in one sentence.
    file : str or Path, optional
        The file being read.
    row : int, optional
        1-based data row (header excluded) where the problem was found.
    column : str, optional
        Column (or field) name.
    expected : str, optional
        What the reader expected there.
    found : object, optional
        What it found instead (shortened).
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        column: str | None = None,
        expected: str | None = None,
        found: object | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.row = row
        self.column = column
        self.expected = expected
        self.found = found
        super().__init__(self._render())

    def _render(self) -> str:
        parts = [self.message]
        where = []
        if self.file:
            where.append(f"file {self.file}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        if where:
            parts.append("(" + ", ".join(where) + ")")
        if self.expected is not None:
            parts.append(f"expected: {self.expected}")
        if self.found is not None:
            parts.append(f"found: {_shorten(self.found)}")
        return _one_line("; ".join(parts))


def _one_line(text: str) -> str:
    """Collapse whitespace runs (newlines included) so a message prints as one line."""
    return " ".join(str(text).split())


def _shorten(value: object, limit: int = 120) -> str:
    shown = repr(value)
    return f"{shown[:limit]}{'…' if len(shown) > limit else ''}"


def os_error_message(exc: OSError) -> str:
    """One line for a file-system error, naming the path and what went wrong in words."""
    import errno

    reasons = {
        errno.ENOSPC: "no space left on the device",
        errno.EROFS: "the file system is read-only",
        errno.ENOTDIR: "a part of the path is a file, not a folder",
        errno.EISDIR: "it is a folder, not a file",
        errno.EACCES: "permission denied",
        errno.EPERM: "operation not permitted",
        errno.ENOENT: "no such file or folder",
        errno.EEXIST: "it already exists",
        errno.EDQUOT: "disk quota exceeded",
        errno.ENAMETOOLONG: "the name is too long",
    }
    reason = reasons.get(exc.errno or -1, exc.strerror or type(exc).__name__)
    paths = [p for p in (exc.filename, exc.filename2) if p is not None]
    where = " → ".join(str(p) for p in paths)
    return _one_line(f"cannot use {where}: {reason}" if where else f"file-system error: {reason}")


class IcebergDataWarning(UserWarning):
    """Data accepted, but something the user should know (the CLI prints it as one line)."""


class IcebergArgumentError(ValueError):
    """A bad argument, CLI option or scenario lever.

    Subclasses :class:`ValueError` so callers that already catch ``ValueError`` keep working.

    Parameters
    ----------
    name : str
        The option or lever, as the user wrote it (``"--layer"``, ``"layer"``, ``"states"``).
    value : object
        The value given (shortened in the message).
    allowed : str, optional
        What is allowed, in words (``"one of eloundou, aioe"``, ``"a number in [0, 1]"``).
    message : str, optional
        What is wrong, when more specific than "invalid value" (``"unknown state"``); the
        value follows in parentheses.
    where : str, optional
        Where the value was read (a file name), printed first.
    kind : str, optional
        What ``name`` is, when it is not an option spelled with dashes (``"lever"`` renders
        ``lever 'layer': …``).

    Examples
    --------
    >>> str(IcebergArgumentError("--layer", "nope", allowed="one of eloundou, aioe"))
    "--layer: invalid value 'nope'; allowed: one of eloundou, aioe"
    """

    def __init__(
        self,
        name: str,
        value: object,
        *,
        allowed: str | None = None,
        message: str | None = None,
        kind: str | None = None,
        where: str | None = None,
    ) -> None:
        self.where = where
        self.name = name
        self.value = value
        self.allowed = allowed
        self.message = message
        self.kind = kind
        super().__init__(self._render())

    def _render(self) -> str:
        label = f"{self.kind} {self.name!r}" if self.kind else self.name
        if self.message:
            text = f"{label}: {self.message} (got {_shorten(self.value)})"
        else:
            text = f"{label}: invalid value {_shorten(self.value)}"
        if self.allowed:
            text += f"; allowed: {self.allowed}"
        if self.where:
            text = f"{self.where}: {text}"
        return _one_line(text)

    def within(self, where: str) -> IcebergArgumentError:
        """The same error, prefixed by where it was found (a file, a link)."""
        return IcebergArgumentError(self.name, self.value, allowed=self.allowed,
                                    message=self.message, kind=self.kind, where=where)
