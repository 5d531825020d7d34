"""Text from users and files reaches the screen as text, never as Markdown or HTML.

Streamlit reads Markdown in st.markdown, st.success/error/info/warning, st.caption, st.toast, widget
labels and `help=`, expander titles and tab names. A composite named `[Đăng nhập lại](http://…/phish)`
or a sheet named `<img src=…>` would show there as a live link or fetch an image. Every piece of data
shown in those places goes through `plain` (or `t_plain`, which fills a trusted catalog text with
escaped parameters); tests/ui/test_safe_text.py checks the call sites.

Dataframe cells and selectbox options are shown literally by Streamlit and need none of this.
"""

from __future__ import annotations

import dataclasses
import html
import re
from typing import Any

from errors import Problem, XasoError
from i18n import translate

SHORT = 80  # characters of file text shown in a line; a 32,000-character header made a page 62,355 px tall

# The ASCII punctuation Markdown, GFM and Streamlit act on, backslash-escaped (CommonMark shows the character
# itself): emphasis, code, links and images, headings and lists, tables, HTML (<), entities (&), LaTeX ($),
# :colour[...] directives and bare links (http\://, www\., a\@b). Punctuation nothing reads (/ , ; ? ' " % =)
# is left alone, so a month "10/2026" stays as written in the page's text.
_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:@&^])")
_NUMBER = re.compile(r"[+\-\u2212]?[0-9][0-9 .,%\u00a0]*")  # a number as format_number writes it: no Markdown in it
# GFM turns bare addresses into links after parsing, escapes or not ("http\://x" is still a link); a word
# joiner (invisible, zero width) before "http"/"www" and after "@" is not a word boundary, so no link starts
JOINER = "\u2060"
_BARE_LINK = re.compile(r"(?=(?:https?://|www\.))|(?<=@)", re.IGNORECASE)
# control characters and the bidirectional overrides (U+202E turns "gpj.exe" round) are shown by their code
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def visible(text: object) -> str:
    """`text` with control and bidi-override characters written out (`\\x00`, `\\u202e`)."""
    return _INVISIBLE.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}",
                          str(text))


def plain(text: object) -> str:
    """`text` (a name, a header, a value ...) as Markdown that Streamlit shows literally."""
    text = _BARE_LINK.sub(JOINER, visible(text))
    return _PUNCTUATION.sub(r"\\\1", text)


def chart_text(text: object) -> str:
    """`text` for a Plotly title, legend or hover label, which read <a href>, <b>, <br> as markup: the
    characters escaped as HTML entities, which Plotly shows as the characters themselves."""
    return html.escape(visible(text), quote=False)


def short(text: object, limit: int = SHORT) -> str:
    """Display text from a file cut to `limit` characters with "…" (the full text goes in `help=` or the
    downloadable report). Not escaped: pass the result through `plain` where Markdown is read."""
    text = visible(text)
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def plain_short(text: object, limit: int = SHORT) -> str:
    """`short` then `plain`: a line of file text in a Markdown place."""
    return plain(short(text, limit))


def _escaped(value: object) -> object:
    # numbers (and numbers already written out, "1.234,5") carry no Markdown: left as they are
    return plain(value) if isinstance(value, str) and not _NUMBER.fullmatch(value) else value


def translate_plain(key: str, lang: str, /, **params: object) -> str:
    """The catalog text `key` (trusted Markdown) with its parameters (data) escaped."""
    return translate(key, lang, **{name: _escaped(value) for name, value in params.items()})


def t_plain(key: str, /, **params: object) -> str:
    """`translate_plain` in the session's language: `t()` for a text whose parameters are data."""
    from ui.i18n import language  # streamlit only where a session exists: the rest is plain Python
    return translate_plain(key, language(), **params)


def problem_text(problem: Problem, lang: str) -> str:
    """`problem.message(lang)` as Markdown: the catalog wording kept, the file, sheet, column, value and
    parameters it quotes shown literally (and shortened: the full text is in the error report)."""
    def cut(value: object) -> object:
        return plain_short(value) if isinstance(value, str) else value
    safe = dataclasses.replace(
        problem, file=cut(problem.file), sheet=cut(problem.sheet) if problem.sheet else problem.sheet,
        column=cut(problem.column) if problem.column else problem.column,
        value=cut(problem.value) if isinstance(problem.value, str) else problem.value,
        params={name: cut(value) for name, value in problem.params.items()})
    return safe.message(lang)


def problem_what(problem: Problem, lang: str) -> str:
    """`problem.what(lang)` with the data it quotes escaped (see problem_text)."""
    return translate_plain("problem." + problem.code, lang, **_params(problem))


def problem_fix(problem: Problem, lang: str) -> str:
    """`problem.fix(lang)` with the data it quotes escaped (see problem_text)."""
    return translate_plain("fix." + problem.code, lang, **_params(problem))


def _params(problem: Problem) -> dict[str, Any]:
    value = problem.value if problem.value is None or isinstance(problem.value, (int, float, str, bool)) \
        else str(problem.value)
    return {"file": short(problem.file), "sheet": short(problem.sheet or ""), "row": problem.row or "",
            "column": short(problem.column or ""), "value": short(value) if isinstance(value, str) else value,
            **{k: short(v) if isinstance(v, str) else v for k, v in problem.params.items()}}


def error_text(error: XasoError, lang: str) -> str:
    """`error.message(lang)` with the data it quotes (file names, codes typed by a user) escaped."""
    if type(error).message is not XasoError.message:  # a message of its own (NotAllowed names the action)
        return plain(error.message(lang))
    params = {k: plain_short(v) if isinstance(v, str) else v for k, v in error.params.items()}
    return (f"{translate('problem.' + error.code, lang, **params)} "
            f"{translate('fix.' + error.code, lang, **params)}")
