"""The app never shows a traceback: failures become one friendly message (and a server log)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

import streamlit as st

from iceberg import IcebergDataError

log = logging.getLogger("iceberg.app")


def friendly_error(exc: BaseException, where: str) -> None:
    """Show one plain message for ``exc``; the traceback goes to the server log only."""
    log.exception("app error in %s", where, exc_info=exc)
    if isinstance(exc, IcebergDataError):
        st.error(f"The data could not be read: {exc}")
        st.caption("Check the data folder (`iceberg status`), or set `ICEBERG_DATA_DIR`.")
    elif isinstance(exc, ValueError | KeyError):
        st.error(f"This combination of levers cannot be computed: {exc}. "
                 "Change a lever or reset to the defaults.")
    else:
        st.error(f"Something went wrong while drawing {where} ({type(exc).__name__}). "
                 "Try another lever setting or reload the page.")


def guarded(where: str) -> Callable:
    """Decorator: run a page or panel; on any error show :func:`friendly_error` instead."""

    def deco(func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - the point: never a traceback
                friendly_error(exc, where)
                return None

        return wrapper

    return deco
