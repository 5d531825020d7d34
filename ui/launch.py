"""Start the dashboard: `python -m ui.launch [streamlit options]` is `streamlit run app.py`, safe for deep links.

Streamlit takes an app that has a `pages/` folder for an old-style multipage app until a run calls
st.navigation, so the first visitor after a start who opened a link such as /rankings got that page
without app.py: file names for navigation and no language switch. app.py declares the navigation, so
Streamlit is told so before the server starts.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

APP = Path(__file__).resolve().parent.parent / "app.py"


def main(argv: list[str] | None = None) -> None:
    PagesManager.uses_pages_directory = False
    os.chdir(APP.parent)  # Streamlit reads .streamlit/config.toml (static serving, upload size) from here
    sys.argv = ["streamlit", "run", str(APP), *(sys.argv[1:] if argv is None else argv)]
    cli.main()


if __name__ == "__main__":
    main()
