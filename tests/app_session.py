"""AppTest sessions as a browser gets them: every run through app.py, signed in with a real account.

AppTest resets Streamlit's "old-style multipage app" flag before each run, and an app with a `pages/`
folder is then taken for one: after `switch_page` the page file ran alone, without app.py (no sign-in
check, no sidebar). `python -m ui.launch` clears that flag for the server; `serve_like_the_launcher`
does the same for AppTest, so tests see what a browser sees.
"""

from __future__ import annotations

from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager

import store
from store.users import SYSTEM, BadAccount, add_user, sign_in
from ui.auth import TOKEN_KEY

PASSWORD = "mật-khẩu-kiểm-thử"


def session_token(db: Path | str, role: str = "admin", province: str | None = None) -> str:
    """Sign in as `tester-<role>[-<province>]` (created on first use) and return the session's token."""
    username = f"tester-{role}" + (f"-{province}" if province else "")
    with store.connect(db) as con:
        try:
            add_user(con, SYSTEM, username, PASSWORD, role, province_code=province, display_name=username)
        except BadAccount as exc:
            if exc.code != "account_taken":
                raise
        return sign_in(con, username, PASSWORD).token


def sign_in_app(app: "object", db: Path | str, role: str = "admin", province: str | None = None) -> None:
    """Put a signed-in session into an AppTest before its first run."""
    app.session_state[TOKEN_KEY] = session_token(db, role, province)


_original_init = PagesManager.__init__


def _navigation_only(self: PagesManager, *args: object, **kwargs: object) -> None:
    _original_init(self, *args, **kwargs)
    PagesManager.uses_pages_directory = False  # app.py declares the navigation, as ui.launch tells the server


def serve_like_the_launcher() -> None:
    """From now on every AppTest run goes through app.py's st.navigation (idempotent)."""
    PagesManager.__init__ = _navigation_only
