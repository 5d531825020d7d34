"""Running the real app script under AppTest against a real database file."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from i18n import catalog
from tests.conftest import REPO
from tests.app_session import serve_like_the_launcher, sign_in_app

serve_like_the_launcher()

_KEY_PATTERN = re.compile("|".join(sorted((re.escape(k) for k in catalog("vi")), key=len, reverse=True)))


def open_app(db: Path, lang: str, monkeypatch: pytest.MonkeyPatch, role: str | None = "admin",
             province: str | None = None) -> AppTest:
    """The whole app (app.py routing to the default page) in the given language, run once, signed in
    with `role` (None: not signed in)."""
    monkeypatch.setenv("XASO_DB", str(db))
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=60)
    app.session_state["lang"] = lang
    if role is not None:
        sign_in_app(app, db, role, province)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app



def open_page(db: Path, lang: str, monkeypatch: pytest.MonkeyPatch, page: str, **params: str | None) -> AppTest:
    """The app signed in as an admin, switched to pages/<page>.py with the address parameters given (None:
    left out), run once without an exception."""
    app = open_app(db, lang, monkeypatch)
    for name, value in params.items():
        if value is not None:
            app.query_params[name] = value
    app.switch_page(f"pages/{page}.py").run()
    assert not app.exception, [e.value for e in app.exception]
    return app

def as_shown(markdown: str) -> str:
    """Markdown as the reader sees it when it holds escaped data (ui/text.py's `plain`): escapes removed."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u2060", "")  # and the link breakers


def shown_text(app: AppTest) -> str:
    """Every piece of text the app rendered (labels, values, captions, tables' protos)."""
    parts: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(app._tree)
    return "\n".join(parts)


def raw_keys(app: AppTest) -> list[str]:
    """Catalog keys that leaked to the screen instead of their text."""
    return sorted(set(m.group(0) for m in _KEY_PATTERN.finditer(shown_text(app))
                      if re.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_\-]+)+", m.group(0))))


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, Callable[[], bytes]]:
    """The download buttons' file builders, by file name, to call as a click would (AppTest does not
    build deferred downloads itself)."""
    files: dict[str, Callable[[], bytes]] = {}
    register = MediaFileManager.add_deferred

    def keep(manager, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        files[file_name] = data_callable
        return register(manager, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", keep)
    return files
