"""Atomic file writes: a reader sees the old file or the complete new one, never a partial one.

Every file iceberg writes goes through :func:`atomic_write`. The temporary file that
:func:`tempfile.mkstemp` creates is private (mode 0600); before it is renamed into place it gets
the mode a normal ``open(path, "w")`` would give (0666 minus the user's umask, i.e. 0644 under the
usual 022), so colleagues on a shared drive can read maps and tables.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def default_file_mode() -> int:
    """Mode of a new regular file under the current umask (``0o666 & ~umask``)."""
    # os.umask can only be read by setting it; set it back at once (process-wide, not per-thread,
    # but the window is two syscalls long and the value is restored unchanged).
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def atomic_write(path: str | os.PathLike, write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp_path)`` on a temporary file beside ``path``, then move it into place.

    Parameters
    ----------
    path : str or os.PathLike
        Destination; missing parent folders are created.
    write : callable
        Writes the whole file to the path it is given. The temporary path keeps ``path``'s suffix,
        so writers that pick a format by suffix (matplotlib, geopandas) still work; it does not
        exist yet when ``write`` is called.

    Returns
    -------
    pathlib.Path
        ``path``, now holding the new file with normal permissions (``0o666 & ~umask``).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".part{path.suffix}",
                               dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    # The name is reserved; free it so writers that refuse an existing file (GeoPackage) work.
    tmp_path.unlink()
    try:
        write(tmp_path)
        os.chmod(tmp_path, default_file_mode())
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` (UTF-8) atomically."""
    return atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` atomically."""
    return atomic_write(path, lambda p: p.write_bytes(data))
