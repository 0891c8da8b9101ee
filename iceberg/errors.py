"""The single error type for bad input data.

Every loader and validator raises :class:`IcebergDataError`, naming the file, the row and
column where the problem sits, what was expected and what was found, so a user can open the
file and fix it.
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
            shown = repr(self.found)
            parts.append(f"found: {shown[:120]}{'…' if len(shown) > 120 else ''}")
        return "; ".join(parts)
