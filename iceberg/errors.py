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
        What is wrong, when more specific than "invalid value" (``"unknown state"``).

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
    ) -> None:
        self.name = name
        self.value = value
        self.allowed = allowed
        self.message = message or "invalid value"
        super().__init__(self._render())

    def _render(self) -> str:
        text = f"{self.name}: {self.message} {_shorten(self.value)}"
        if self.allowed:
            text += f"; allowed: {self.allowed}"
        return _one_line(text)
