"""Reading and checking tables: the shared machinery of every loader.

Each check raises :class:`~iceberg.errors.IcebergDataError` naming the file, the 1-based data
row (header excluded), the column, what was expected and what was found.
"""

from __future__ import annotations

import gzip
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import python_calamine

from iceberg.errors import IcebergDataError

# One Excel engine: calamine (Rust; about 4x faster than openpyxl, reads .xlsx and .xls).
_EXCEL_ENGINE = "calamine"
_CalamineError: type[Exception] = getattr(python_calamine, "CalamineError", ValueError)

SOC_DETAILED = r"\d{2}-\d{4}"
ONET_SOC = r"\d{2}-\d{4}\.\d{2}"
COUNTY_FIPS = r"\d{5}"
STATE_FIPS = r"\d{2}"
#: No US county has more residents (or workers) than this (Los Angeles County: ~9.7 million).
MAX_COUNTY_POPULATION = 15_000_000


_COMPRESSED = {".zip", ".bz2", ".xz", ".zst", ".tar"}  # pandas infers these from the suffix


def _head(path: Path, size: int = 4096) -> bytes:
    """First ``size`` bytes of the (gzip-decompressed) text; ``b""`` when not inspectable."""
    suffix = path.suffix.lower()
    if suffix in _COMPRESSED:
        return b""
    try:
        with (gzip.open(path, "rb") if suffix == ".gz" else path.open("rb")) as fh:
            return fh.read(size)
    except (EOFError, OSError):  # truncated archive: pandas names it below
        return b""


def _encoding_error(path: Path, encodings: Sequence[str], skiprows: int | None) -> IcebergDataError:
    """Name the 1-based data row holding the first byte the first encoding cannot decode."""
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    try:
        with opener(path, "rb") as fh:
            data = fh.read()
    except (EOFError, OSError):
        data = b""
    try:
        data.decode(encodings[0])
        start = None
    except UnicodeDecodeError as exc:
        start = exc.start
    line = data[:start].count(b"\n") - (skiprows or 0) if start is not None else 0
    return IcebergDataError(
        "file has an unexpected text encoding",
        file=path,
        row=line if line > 0 else None,  # line 0 is the header
        expected=" or ".join(encodings),
        found=data[start : start + 8] if start is not None else None,
    )


def read_text_table(
    path: str | Path,
    *,
    sep: str = ",",
    required: Sequence[str] = (),
    skiprows: int | None = None,
    encoding: str | Sequence[str] = "utf-8",
) -> pd.DataFrame:
    """Read a delimited text file (optionally gzip) with every column as string.

    Empty cells become ``""`` (not NaN) so that nothing is silently converted; numbers are parsed
    later by :func:`to_number`, which names any bad cell. Cells missing from a short (truncated)
    row are NaN, which every check here reports.

    Parameters
    ----------
    path : str or Path
        ``.csv``/``.txt``/``.tsv``, optionally compressed (``.gz`` …, inferred from the suffix).
    sep : str
        Field separator; with ``"\t"`` quotes are literal text (the O*NET text edition).
    required : sequence of str
        Columns that must be present.
    skiprows : int, optional
        Lines to skip before the header.
    encoding : str or sequence of str
        Encoding, or encodings tried in turn (e.g. ``("utf-8", "latin-1")``).

    Raises
    ------
    IcebergDataError
        Missing, empty, truncated or unparsable file; NUL bytes (UTF-16 or binary); a byte the
        encodings cannot decode (naming its data row); a missing required column.
    """
    path = Path(path)
    if not path.is_file():
        raise IcebergDataError("file not found", file=path, expected="an existing file")
    encodings = (encoding,) if isinstance(encoding, str) else tuple(encoding)
    head = _head(path)
    if b"\x00" in head:
        raise IcebergDataError(
            "file has an unexpected text encoding (NUL bytes: UTF-16 or binary?)",
            file=path,
            expected=" or ".join(encodings),
            found=head[:16],
        )
    for attempt, enc in enumerate(encodings):
        try:
            frame = pd.read_csv(
                path,
                sep=sep,
                dtype=str,
                keep_default_na=False,
                na_values=[],
                encoding=enc,  # pandas drops a UTF-8 BOM itself
                skiprows=skiprows,
                compression="infer",
                quoting=3 if sep == "\t" else 0,  # O*NET text files: tabs, no quoting
            )
            break
        except UnicodeDecodeError:
            if attempt == len(encodings) - 1:
                raise _encoding_error(path, encodings, skiprows) from None
        except (EOFError, gzip.BadGzipFile, zipfile.BadZipFile, OSError) as exc:
            raise IcebergDataError(
                "file is truncated or not a valid compressed file", file=path, found=str(exc)
            ) from None
        except pd.errors.ParserError as exc:
            raise IcebergDataError(
                "file could not be parsed as a delimited table (truncated or malformed?)",
                file=path,
                found=str(exc).strip()[:200],
            ) from None
        except pd.errors.EmptyDataError:
            raise IcebergDataError("file is empty", file=path, expected="a header row") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    require_columns(frame, required, path)
    return frame


def read_excel_table(
    path: str | Path, *, required: Sequence[str] = (), sheet: int | str = 0, skiprows: int | None = None
) -> pd.DataFrame:
    """Read one sheet of an ``.xlsx`` workbook with every column as string (empty → ``""``)."""
    path = Path(path)
    if not path.is_file():
        raise IcebergDataError("file not found", file=path, expected="an existing file")
    try:
        frame = pd.read_excel(path, sheet_name=sheet, dtype=str, engine=_EXCEL_ENGINE, skiprows=skiprows)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError, _CalamineError) as exc:
        raise IcebergDataError(
            "workbook is truncated or not a valid .xlsx file", file=path, found=str(exc)[:200]
        ) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.fillna("")
    require_columns(frame, required, path)
    return frame


def require_columns(
    frame: pd.DataFrame, required: Iterable[str], path: str | Path | None = None, *,
    what: str | None = None,
) -> None:
    """Raise when a required column is missing.

    ``path`` names the file the frame was read from; for a frame handed over in memory leave it
    out and name the frame with ``what`` (e.g. ``"ACS occupation groups"``).
    """
    required = list(required)
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise IcebergDataError(
            f"{what}: required column missing" if what else "required column missing",
            file=path,
            column=missing[0],
            expected=f"columns {required}",
            found=list(frame.columns)[:20],
        )


def first_bad(mask: np.ndarray | pd.Series) -> int | None:
    """Index position of the first True in ``mask``, or None."""
    arr = np.asarray(mask, dtype=bool)
    hits = np.flatnonzero(arr)
    return int(hits[0]) if hits.size else None


def _cell(value: object) -> str | None:
    """A cell as found text: None for a missing cell (NaN, e.g. a truncated row)."""
    return None if pd.isna(value) else str(value)


def check_pattern(
    frame: pd.DataFrame,
    column: str,
    pattern: str,
    path: str | Path,
    *,
    allow_empty: bool = False,
    expected: str | None = None,
) -> None:
    """Every value of ``column`` fully matches ``pattern`` (a regex); missing cells fail.

    ``expected`` describes the pattern in words for the error (default: the regex).
    """
    values = frame[column].astype(str).where(frame[column].notna())  # keep missing cells missing
    ok = values.str.fullmatch(pattern)
    if allow_empty:
        ok = ok | (values == "")
    bad = first_bad(~ok.fillna(False).to_numpy(dtype=bool))
    if bad is not None:
        raise IcebergDataError(
            "bad code",
            file=path,
            row=bad + 1,
            column=column,
            expected=expected or f"text matching {pattern}",
            found=_cell(values.iloc[bad]),
        )


def check_unique(frame: pd.DataFrame, keys: str | Sequence[str], path: str | Path) -> None:
    """No two rows share ``keys`` (one column name, or several).

    The error's ``found`` is the repeated value (one key) or the tuple of values (several).
    """
    cols = [keys] if isinstance(keys, str) else list(keys)
    bad = first_bad(frame.duplicated(cols, keep="first"))
    if bad is not None:
        found = frame[keys].iloc[bad] if isinstance(keys, str) else tuple(frame.iloc[bad][cols])
        raise IcebergDataError(
            "duplicate key",
            file=path,
            row=bad + 1,
            column=",".join(cols),
            expected="each key once",
            found=_cell(found) if isinstance(keys, str) else found,
        )


def to_number(
    frame: pd.DataFrame,
    column: str,
    path: str | Path,
    *,
    symbols: Sequence[str] = (),
    allow_empty: bool = True,
    minimum: float | None = None,
    maximum: float | None = None,
    integer: bool = False,
) -> tuple[pd.Series, pd.Series]:
    """Parse ``column`` to float, keeping ``symbols`` (e.g. BLS ``**``) as an explicit flag.

    Thousands separators (``"1,000"``) are accepted. A missing cell (NaN, e.g. a truncated row)
    is always bad; an empty one only when ``allow_empty`` is False.

    Returns
    -------
    values : pd.Series
        float64; NaN where the cell is empty or a symbol.
    flags : pd.Series
        The symbol found (``""`` where a number or empty cell was read).

    Raises
    ------
    IcebergDataError
        ``"bad number (…)"`` naming the first cell that is not numeric, out of
        [``minimum``, ``maximum``], or (``integer``) not a whole number.
    """
    raw = frame[column].astype(str).str.strip()
    cleaned = raw.str.replace(",", "", regex=False)
    is_symbol = raw.isin(list(symbols)) if symbols else pd.Series(False, index=raw.index)
    is_empty = raw == ""
    numbers = pd.to_numeric(cleaned.where(~(is_symbol | is_empty)), errors="coerce").astype("float64")
    kind = "an integer" if integer else "a number"
    checks = [  # (bad mask, why, expected); the first bad cell in file order is reported
        (numbers.isna() & ~is_symbol & (~is_empty if allow_empty else True), "non-numeric value",
         kind + (f" or one of {list(symbols)}" if symbols else "")),
    ]
    if integer:
        checks.append((numbers.fillna(0) % 1 != 0, "not an integer", kind))
    for limit, op, word in ((minimum, np.less, ">="), (maximum, np.greater, "<=")):
        if limit is not None:
            checks.append((op(numbers.fillna(limit), limit), "value out of range",
                           f"{kind} {word} {limit:g}"))
    found = [(row, why, exp) for mask, why, exp in checks if (row := first_bad(mask)) is not None]
    if found:
        row, why, expected = min(found, key=lambda f: f[0])
        raise IcebergDataError(f"bad number ({why})", file=path, row=row + 1, column=column,
                               expected=expected, found=_cell(raw.iloc[row]))
    flags = raw.where(is_symbol, "")
    return numbers, flags


def find_file(folder: str | Path, stems: Sequence[str], suffixes: Sequence[str]) -> Path | None:
    """First existing ``folder/stem+suffix`` (also one sub-folder down, e.g. an unpacked zip)."""
    folder = Path(folder)
    candidates = [folder] + sorted(p for p in folder.glob("*") if p.is_dir()) if folder.is_dir() else []
    for base in candidates:
        for stem in stems:
            for suffix in suffixes:
                path = base / f"{stem}{suffix}"
                if path.is_file():
                    return path
    return None
