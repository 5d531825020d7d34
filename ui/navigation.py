"""Which pages exist, in which section, and who may open them: app.py builds the navigation from this."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from store.users import User
from ui.auth import has_role, sign_in_form
from ui.i18n import t
from ui.upload import forget_reviews


@dataclass(frozen=True)
class PageSpec:
    path: str
    url_path: str
    icon: str
    section: str  # nav.section.<section>
    role: str  # the least role that may open it; "viewer" pages are public in public mode

    @property
    def title_key(self) -> str:
        return f"nav.{self.url_path}"


PAGES: list[PageSpec] = [
    PageSpec("pages/overview.py", "overview", ":material/home:", "view", "viewer"),
    PageSpec("pages/rankings.py", "rankings", ":material/leaderboard:", "view", "viewer"),
    PageSpec("pages/profile.py", "profile", ":material/location_on:", "view", "viewer"),
    PageSpec("pages/trends.py", "trends", ":material/trending_up:", "view", "viewer"),
    PageSpec("pages/map.py", "map", ":material/map:", "view", "viewer"),
    PageSpec("pages/present.py", "present", ":material/slideshow:", "view", "viewer"),
    PageSpec("pages/upload.py", "upload", ":material/upload_file:", "data", "analyst"),
    PageSpec("pages/history.py", "history", ":material/history:", "data", "analyst"),
    PageSpec("pages/templates.py", "templates", ":material/table_view:", "data", "analyst"),
    PageSpec("pages/quality.py", "quality", ":material/fact_check:", "data", "analyst"),
    PageSpec("pages/users.py", "users", ":material/group:", "admin", "admin"),
    PageSpec("pages/audit.py", "audit", ":material/receipt_long:", "admin", "admin"),
]


UPLOAD_URL = "upload"


def navigation(user: User | None, public: bool) -> st.navigation:
    """The pages this person may open, by section. Any other page's address shows the sign-in form to a
    stranger (so a shared link opens its page right after signing in) and is unknown to the signed-in."""
    allowed = [p for p in PAGES if has_role(user, p.role) or (public and user is None and p.role == "viewer")]
    sections: dict[str, list[st.Page]] = {}
    for spec in allowed:
        page = st.Page(spec.path, title=t(spec.title_key), icon=spec.icon, url_path=spec.url_path,
                       default=spec is allowed[0])
        sections.setdefault(t(f"nav.section.{spec.section}"), []).append(page)
    if user is None:
        account = sections.setdefault(t("nav.section.account"), [])
        account.append(st.Page(sign_in_form, title=t("auth.title"), icon=":material/login:", url_path="sign-in",
                               default=not allowed))
        account += [st.Page(sign_in_form, title=t("auth.title"), url_path=spec.url_path, visibility="hidden")
                    for spec in PAGES if spec not in allowed]
    chosen = st.navigation(sections, position="sidebar" if allowed else "hidden")
    if chosen.url_path != UPLOAD_URL:  # a review of a large file is given back when the person moves on
        forget_reviews()
    return chosen
