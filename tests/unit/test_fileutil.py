"""Atomic writes keep normal permissions and never leave partial files."""

from __future__ import annotations

import os
import stat

import pytest

from iceberg.fileutil import atomic_write, atomic_write_bytes, atomic_write_text, default_file_mode


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_written_file_is_readable_by_others_under_umask_022(tmp_path, umask_022):
    out = atomic_write_text(tmp_path / "map.html", "<html></html>")
    assert _mode(out) == 0o644
    assert atomic_write_bytes(tmp_path / "a.bin", b"x").stat().st_mode & 0o044 == 0o044


def test_mode_follows_the_umask(tmp_path):
    old = os.umask(0o077)
    try:
        assert default_file_mode() == 0o600
        assert _mode(atomic_write_text(tmp_path / "private.txt", "x")) == 0o600
    finally:
        os.umask(old)
    assert default_file_mode() == 0o666 & ~old  # the umask is restored


def test_replacing_a_file_does_not_keep_the_temporary_0600(tmp_path, umask_022):
    target = tmp_path / "table.csv"
    atomic_write_text(target, "a\n")
    atomic_write_text(target, "b\n")
    assert target.read_text() == "b\n" and _mode(target) == 0o644


def test_failed_write_leaves_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "out.txt"
    atomic_write_text(target, "old")

    def boom(path):
        path.write_text("partial")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic_write(target, boom)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_temporary_keeps_the_suffix_for_format_sniffing_writers(tmp_path):
    seen = []
    atomic_write(tmp_path / "chart.png", lambda p: (seen.append(p.suffix), p.write_bytes(b"")))
    assert seen == [".png"]
