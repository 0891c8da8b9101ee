"""iceberg policy sandbox — entry point, started by ``iceberg app`` (with the server options
of ``streamlit.toml`` beside this file).

Two pages: the sandbox (map, levers, drill-down, downloads) and methods & sources. The app
only calls iceberg's public API; its own code is layout (``iceberg_app.views``), no model code.
It ships in the wheel with the library, so ``iceberg app`` works from a normal install.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

APP_DIR = Path(__file__).resolve().parent

st.set_page_config(page_title="iceberg — AI exposure of US wages", page_icon="🧊",
                   layout="wide", initial_sidebar_state="expanded")

pages = [
    st.Page(str(APP_DIR / "pages" / "sandbox.py"), title="Sandbox", icon=":material/map:", default=True),
    st.Page(str(APP_DIR / "pages" / "methods.py"), title="Methods and sources", icon=":material/menu_book:",
            url_path="methods"),
]
st.navigation(pages, position="top").run()
