"""Opt-in timings of a script run (``ICEBERG_APP_TIMING=1``): printed to the server's stderr."""

from __future__ import annotations

import os
import sys
import time

ENABLED = os.environ.get("ICEBERG_APP_TIMING") == "1"
_last = [time.perf_counter()]


def start(label: str) -> None:
    _last[0] = time.perf_counter()
    if ENABLED:
        print(f"[iceberg.app] {label} at {time.time():.3f}", file=sys.stderr, flush=True)


def mark(label: str) -> None:
    """Print the time since the previous mark (no-op unless enabled)."""
    if ENABLED:
        now = time.perf_counter()
        print(f"[iceberg.app] {label}: {now - _last[0]:.3f} s (at {time.time():.3f})",
              file=sys.stderr, flush=True)
        _last[0] = now
