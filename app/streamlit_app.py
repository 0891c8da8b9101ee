"""iceberg policy sandbox — entry point (``iceberg app`` or ``streamlit run app/streamlit_app.py``).

Two pages: the sandbox (map, levers, drill-down, downloads) and methods & sources. The app
only calls iceberg's public API; its own code is layout (``app/views``), no model code.
"""

from __future__ import annotations

import sys
from pathlib import Path

APP_DIR = Path(__file__).resolve().parent
if str(APP_DIR) not in sys.path:  # `views` is importable however the app is started
    sys.path.insert(0, str(APP_DIR))

import streamlit as st

st.set_page_config(page_title="iceberg — AI exposure of US wages", page_icon="🧊",
                   layout="wide", initial_sidebar_state="expanded")

pages = [
    st.Page(str(APP_DIR / "pages" / "sandbox.py"), title="Sandbox", icon=":material/map:", default=True),
    st.Page(str(APP_DIR / "pages" / "methods.py"), title="Methods and sources", icon=":material/menu_book:",
            url_path="methods"),
]
st.navigation(pages, position="top").run()
