"""Text from users and files reaches the screen as text: the helper (ui/text.py) and the rule that every
Markdown-reading Streamlit call built from data passes that data through it."""

from __future__ import annotations

import ast
import re
import textwrap

import pytest

from errors import Problem
from i18n import translate
from tests.conftest import REPO
from ui.text import JOINER, chart_text, plain, plain_short, problem_text, short, translate_plain, visible

# Streamlit calls whose text is read as Markdown (their first argument, `label=`, `body=`, tab names)
MARKDOWN_CALLS = {
    "markdown", "success", "error", "info", "warning", "caption", "toast", "expander", "tabs", "write",
    "title", "header", "subheader", "metric", "popover", "status", "button", "download_button",
    "link_button", "page_link", "form_submit_button", "checkbox", "toggle", "radio", "selectbox",
    "multiselect", "slider", "select_slider", "text_input", "number_input", "text_area", "date_input",
    "time_input", "file_uploader", "color_picker", "segmented_control", "pills", "feedback", "chat_input",
    "spinner", "progress"}
LABEL_AT = {"profile_link": 1, "present_link": 1}  # our own wrappers of st.page_link: their label argument
TEXT_KEYWORDS = {"label", "body", "help", "text"}  # `help=` of any call (widgets, column_config) is Markdown too
# helpers whose result is safe Markdown: the escaping ones, the catalog without data, numbers
ESCAPING = {"plain", "plain_short", "t_plain", "translate_plain", "problem_text", "problem_what", "problem_fix",
            "error_text"}
# numbers, months and the app's own links (an urlencoded query string) carry no Markdown
NUMBERS = {"profile_href", "number", "percent", "format_number", "format_percent", "len", "int", "round", "month_label"}
CATALOG = {"t", "translate"}
DATA_METHODS = {"message", "what", "fix", "location"}  # Problem / XasoError texts quote file content


def _name(func: ast.expr) -> str | None:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def is_safe(node: ast.expr, known: frozenset[str] = frozenset()) -> bool:
    """Whether an expression used *inside* a built text can carry no user Markdown (`known`: names the
    enclosing function only ever assigns safe text to)."""
    def safe(child: ast.expr) -> bool:
        return is_safe(child, known)

    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.IfExp):
        return safe(node.body) and safe(node.orelse)
    if isinstance(node, ast.JoinedStr):
        return all(safe(part) for part in node.values)
    if isinstance(node, ast.FormattedValue):
        spec = node.format_spec
        numeric = (isinstance(spec, ast.JoinedStr) and spec.values and isinstance(spec.values[-1], ast.Constant)
                   and str(spec.values[-1].value)[-1:] in "dfgeEn%,")  # `{x:.1f}` can only be a number
        return numeric or safe(node.value)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        return safe(node.left) and safe(node.right)
    if isinstance(node, ast.Call):
        name = _name(node.func)
        if name in ESCAPING or name in NUMBERS:
            return True
        if name == "str" and isinstance(node.func, ast.Name):
            return all(safe(a) for a in node.args)
        if name in CATALOG:
            return all(safe(k.value) for k in node.keywords if k.arg is not None) and \
                not any(k.arg is None for k in node.keywords)
        if name == "format" and isinstance(node.func, ast.Attribute):
            return safe(node.func.value) and all(safe(a) for a in node.args) and \
                all(safe(k.value) for k in node.keywords)
        if name == "join" and isinstance(node.func, ast.Attribute):
            return safe(node.func.value) and all(safe(a) for a in node.args)
        return False
    if isinstance(node, ast.Name) and (node.id.isupper() or node.id in known):
        return True  # a module constant of the code (THIN_DENOMINATOR)
    if isinstance(node, (ast.ListComp, ast.GeneratorExp)):
        return safe(node.elt)
    if isinstance(node, (ast.List, ast.Tuple)):
        return all(safe(e) for e in node.elts)
    return False  # a name, an attribute, a subscript ... inside a built text: data


def is_built(node: ast.expr) -> bool:
    """Whether a call's text argument is built (an f-string, `+`, `%`, `.format()`, `t()` with parameters,
    a problem's message) rather than passed whole; only built texts are checked, a bare name is trusted."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(part, ast.FormattedValue) for part in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        return True
    if isinstance(node, ast.IfExp):
        return is_built(node.body) or is_built(node.orelse)
    if isinstance(node, ast.Call):
        name = _name(node.func)
        if name in CATALOG:
            return bool(node.keywords)
        if name in ("format", "join") and isinstance(node.func, ast.Attribute):
            return True
        if name in DATA_METHODS and isinstance(node.func, ast.Attribute):
            return True
    return False


def _texts(call: ast.Call) -> list[ast.expr]:
    """The arguments of a call that Streamlit reads as Markdown."""
    texts = [k.value for k in call.keywords if k.arg in TEXT_KEYWORDS]
    at = LABEL_AT.get(_name(call.func))
    if at is not None and len(call.args) > at:
        texts.append(call.args[at])
    if _name(call.func) in MARKDOWN_CALLS and isinstance(call.func, ast.Attribute):
        if _name(call.func) == "write":
            texts += call.args
        elif call.args:
            first = call.args[0]
            texts += first.elts if _name(call.func) == "tabs" and isinstance(first, (ast.List, ast.Tuple)) \
                else [first]
    return texts


def safe_names(scope: ast.AST) -> frozenset[str]:
    """Names that `scope` (a function or module) only ever assigns safe text to, never takes as a parameter
    or a loop variable: `tip = t("a") + plain(b)` then `help=tip + "."` is fine."""
    assigned: dict[str, list[ast.expr | None]] = {}
    for node in ast.walk(scope):
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign, ast.NamedExpr)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        single = isinstance(target, ast.Name) and not isinstance(node, ast.AugAssign)
                        assigned.setdefault(name.id, []).append(node.value if single else None)
        elif isinstance(node, (ast.For, ast.comprehension, ast.With, ast.arguments)):
            for name in ast.walk(node.target if isinstance(node, (ast.For, ast.comprehension)) else node):
                if isinstance(name, ast.Name) and not isinstance(node, ast.With):
                    assigned.setdefault(name.id, []).append(None)
                if isinstance(name, ast.arg):
                    assigned.setdefault(name.arg, []).append(None)
            if isinstance(node, ast.With):
                for item in node.items:
                    for name in ast.walk(item.optional_vars) if item.optional_vars else []:
                        if isinstance(name, ast.Name):
                            assigned.setdefault(name.id, []).append(None)
    known: frozenset[str] = frozenset()
    while True:  # a name is safe once all its values are, which may rest on other names
        grown = frozenset(n for n, values in assigned.items()
                          if all(v is not None and is_safe(v, known) for v in values))
        if grown == known:
            return known
        known = grown


def unsafe_texts(source: str, where: str = "<snippet>") -> list[str]:
    """'file:line: call' for each Markdown-reading call given a built text with unescaped data."""
    tree = ast.parse(textwrap.dedent(source))
    scopes = [tree, *(n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)))]
    known_in = {}
    for scope in scopes:  # the innermost function wins: walked later
        names = safe_names(scope)
        for node in ast.walk(scope):
            known_in[id(node)] = names
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for text in _texts(node):
                if is_built(text) and not is_safe(text, known_in[id(node)]):
                    found.append(f"{where}:{node.lineno}: {ast.unparse(node)[:120]}")
    return found


# --- the rule itself, on small snippets -------------------------------------------------------------

@pytest.mark.parametrize("snippet", [
    'st.error(f"{name} was not saved")',
    'st.success("Saved " + name)',
    'st.info("Saved %s" % name)',
    'st.warning("Saved {}".format(name))',
    'st.caption(t("composite.saved", name=name))',
    'st.markdown(translate("x", lang, file=upload.name))',
    'cols[0].markdown(f"**{header}**")',
    'st.sidebar.info(f"{t(\'a\')}: {user}")',
    'st.expander(f"{sheet} ({rows})")',
    'st.tabs([t("a"), f"{profile}"])',
    'st.toast(t("x", name=name) + "!")',
    'st.button(label=f"Delete {name}")',
    'st.selectbox(t("x"), options, help=f"From {file}")',
    'st.column_config.TextColumn(t("x"), help="From " + header)',
    'st.error(problem.message(lang))',
    'st.write(f"{name}")',
    'st.error(t("x", name=plain(a) + b))',
    'st.info(" · ".join(names))',
    'profile_link(code, t("rankings.open_profile", name=name), period)',
    'tip = t("a")\nif x:\n    tip = name\nst.info(tip + "!")',
    'def f(name):\n    st.info(t("a") + name)',
    'for name in names:\n    st.info(t("a") + name)',
    'bar.progress(0.5, text=t("upload.reading", file=upload.name))',
    'st.spinner(f"Reading {name}")',
])
def test_the_rule_finds_data_built_into_markdown(snippet):
    assert len(unsafe_texts(snippet)) == 1


@pytest.mark.parametrize("snippet", [
    'st.error(t("x"))',
    'st.error(message)',
    'st.success(f"{plain(name)} was saved")',
    'st.success(t_plain("composite.saved", name=name))',
    'st.caption(t("x", cases=THIN_DENOMINATOR, when=month_label(p, lang)))',
    'st.caption(t("x", n=str(len(rows))))',
    'st.caption(t("card.units", units=number(count)) + " · " + t("y"))',
    'st.caption(t("x", name=plain(name), share=percent(v)))',
    'st.markdown(f"**{t(\'x\')}**")',
    'st.info(f"{value:.1f} %")',
    'st.error(problem_text(problem, lang))',
    'st.expander(plain_short(sheet) + f" ({len(rows)})")',
    'st.tabs([t("a"), plain(profile)])',
    'st.dataframe(frame, column_config={"x": st.column_config.TextColumn(t("x"), help=t("y"))})',
    'print(f"{name}")',
    'st.code(f"python -m etl load {path}")',
    'st.info(t("a") if ok else f"{plain(name)}")',
    'tip = "" if ok else t_plain("x", name=name)\nst.selectbox(t("a"), o, help=t("b") + tip)',
    'st.markdown(f"[{t_plain(\'a\', name=n)}]({profile_href(code, period)})")',
])
def test_the_rule_lets_constant_catalog_and_escaped_text_pass(snippet):
    assert unsafe_texts(snippet) == []


def test_every_markdown_call_in_ui_and_pages_escapes_its_data():
    found = [hit for folder in ("ui", "pages") for path in sorted((REPO / folder).rglob("*.py"))
             for hit in unsafe_texts(path.read_text(encoding="utf-8"), str(path.relative_to(REPO)))]
    assert found == []


def test_column_config_never_renders_data_as_links_or_markdown():
    """LinkColumn only shows the app's own links (a profile page) with catalog text; MarkdownColumn is unused."""
    for path in sorted((REPO / "ui").rglob("*.py")) + sorted((REPO / "pages").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _name(node.func) in ("LinkColumn", "MarkdownColumn"):
                assert _name(node.func) == "LinkColumn", path
                display = {k.arg: k.value for k in node.keywords}.get("display_text")
                assert display is not None and (is_safe(display) or isinstance(display, ast.Constant)), path


# --- the helper ---------------------------------------------------------------------------------

HOSTILE = ["[Đăng nhập lại](http://127.0.0.1:9/phish) ![p](http://127.0.0.1:9/pixel.png)",
           "<img src=http://127.0.0.1:9/p.png>", '=HYPERLINK("http://x","y")', "**bold** _it_ `code` ~~s~~",
           "# Heading", "- item", "1. item", ":red[colour] $x^2$", "www.example.com http://127.0.0.1:9/x a@b.co",
           "a\\*b", "| a | b |"]


@pytest.mark.parametrize("text", HOSTILE)
def test_plain_escapes_every_markdown_character(text):
    escaped = plain(text)
    # every character Markdown acts on comes after a backslash: nothing is left for Markdown to read
    i = 0
    while i < len(escaped):
        if escaped[i] == "\\":
            i += 2
            continue
        assert escaped[i] not in "`*_{}[]()#+-.!|~<>$:@&^", (text, escaped, i)
        i += 1
    # and removing the escapes gives the text back, as Markdown would show it
    assert escaped.replace("\\\\", "\x00").replace("\\", "").replace("\x00", "\\").replace(JOINER, "") == text


def test_plain_keeps_vietnamese_letters_digits_and_harmless_punctuation_as_they_are():
    assert plain("Xã Vân Bán 08377 Tỷ lệ đúng hạn, Tháng 10/2026; 50% \"x\" =1?") == \
        "Xã Vân Bán 08377 Tỷ lệ đúng hạn, Tháng 10/2026; 50% \"x\" =1?"


def test_catalog_numbers_stay_as_written_and_text_parameters_are_escaped():
    written = translate("upload.jumps.more", "vi", count="1.234")
    assert translate_plain("upload.jumps.more", "vi", count="1.234") == written
    assert "\\[" in translate_plain("upload.jumps.more", "vi", count="[1](x)")


def test_control_and_direction_override_characters_are_shown_by_their_code():
    assert visible("a\x00b\u202ecod.exe\x1b[31m") == "a\\x00b\\u202ecod.exe\\x1b[31m"
    assert "\u202e" not in plain("x\u202ey") and "\x00" not in plain("x\x00y")


def test_short_cuts_long_file_text_with_an_ellipsis_and_keeps_short_text():
    assert short("Tổng số hồ sơ") == "Tổng số hồ sơ"
    long = "Tổng số hồ sơ " * 3000
    assert len(short(long)) == 80 and short(long).endswith("…")
    assert len(short(long, 20)) <= 20
    assert plain_short("[x](y)" * 100).endswith("…")


def test_catalog_text_keeps_its_markdown_and_its_parameters_are_escaped():
    name = "[x](http://127.0.0.1:9/phish)"
    shown = translate_plain("problem.unknown_indicator_code", "en", value=name)
    assert "\\[x\\]\\(" + JOINER + "http\\:" in shown and "[x](" not in shown


def test_a_problem_message_quotes_the_file_text_escaped_and_shortened():
    header = "<img src=http://127.0.0.1:9/p.png>" + "x" * 32000
    problem = Problem("unmapped_column", "[f](http://127.0.0.1:9/).xlsx", "<b>S</b>", 2, header, params={"count": 3})
    shown = problem_text(problem, "vi")
    assert re.search(r"(?<!\\)[<\[]", shown) is None and "\\<img" in shown
    assert len(shown) < 1000


def test_chart_text_makes_plotly_markup_show_as_characters():
    assert chart_text('<a href="http://127.0.0.1:9">x</a><br>') == \
        '&lt;a href="http://127.0.0.1:9"&gt;x&lt;/a&gt;&lt;br&gt;'
    assert chart_text("Xã Vân Bán & Lào Cai") == "Xã Vân Bán &amp; Lào Cai"


def test_bare_addresses_get_an_invisible_joiner_so_gfm_makes_no_link_of_them():
    """GFM links bare addresses after the escapes are read; a word joiner before them is not a boundary."""
    shown = plain('see http://127.0.0.1:9/a, (www.example.com) or mail a@b.co =HYPERLINK("https://x")')
    assert shown.count(JOINER) == 4
    for start in ("http", "www", "https"):
        assert all(shown[i - 1] == JOINER for i in range(len(shown)) if shown.startswith(start, i)
                   and not shown.startswith("https", i - 1))
