"""House rules that keep the code easy to change (DESIGN §2)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys

from tests.conftest import REPO

BELOW_UI = ("etl", "store", "analytics", "i18n", "errors", "textsafe")
# What each layer may import of ours (data flows one way: spreadsheet -> etl -> store -> analytics -> ui)
MAY_IMPORT = {"textsafe": set(), "i18n": set(), "errors": {"i18n"}, "store": {"i18n", "errors", "textsafe"},
              "analytics": {"i18n", "errors", "store", "textsafe"},
              "etl": {"i18n", "errors", "store", "analytics", "textsafe"}}


def python_files(name: str) -> list:
    """The files of a package folder, or the one module file `name`.py."""
    module = REPO / f"{name}.py"
    return [module] if module.is_file() else sorted((REPO / name).rglob("*.py"))


def imported_modules(path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_etl_store_and_analytics_never_import_streamlit_directly():
    offenders = [str(p.relative_to(REPO)) for package in BELOW_UI for p in python_files(package)
                 if "streamlit" in imported_modules(p)]
    assert offenders == []


def test_etl_store_and_analytics_never_pull_streamlit_in_indirectly():
    modules = [str(p.relative_to(REPO).with_suffix("")).replace("/", ".") for package in BELOW_UI
               for p in python_files(package) if p.name != "__main__.py"]
    probe = "import importlib, sys\n" + "".join(f"importlib.import_module({m!r})\n" for m in modules) + \
            "print('streamlit' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_each_layer_imports_only_the_layers_below_it():
    """The store never reaches up into the loader or the analytics, the analytics never into the loader,
    and nothing below the UI into ui/ or pages/: each layer can be tested and changed from below."""
    ours = {*MAY_IMPORT, "ui", "pages", "app", "benchmarks", "tests"}
    upward = [f"{p.relative_to(REPO)} imports {name}" for layer, allowed in MAY_IMPORT.items()
              for p in python_files(layer) for name in sorted(imported_modules(p) & ours - allowed - {layer})]
    assert upward == []


def test_pages_hold_no_sql_and_stay_short():
    sql = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE)\b.*\b(FROM|INTO|SET)\b")
    for page in [*(REPO / "pages").glob("*.py"), REPO / "app.py"]:
        text = page.read_text(encoding="utf-8")
        assert not sql.search(text), page.name
        assert "duckdb" not in imported_modules(page), page.name
        assert len(text.splitlines()) <= 200, page.name


def test_only_store_opens_duckdb():
    opens = [str(p.relative_to(REPO)) for p in REPO.glob("*/**/*.py")
             if "tests" not in p.parts and ".venv" not in p.parts and "duckdb.connect(" in p.read_text(encoding="utf-8")]
    assert opens == ["store/db.py"]


def test_every_page_checks_who_may_open_it_before_anything_else():
    """A page run without app.py (Streamlit's old multipage mode) must still be closed to strangers."""
    unguarded = []
    for page in sorted((REPO / "pages").glob("*.py")):
        statements = [node for node in ast.parse(page.read_text(encoding="utf-8")).body
                      if not isinstance(node, (ast.Import, ast.ImportFrom, ast.Expr)) or
                      (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call))]
        first = statements[0] if statements else None
        call = first.value if isinstance(first, (ast.Expr, ast.Assign)) else None
        if not (isinstance(call, ast.Call) and getattr(call.func, "id", None) == "require_role"):
            unguarded.append(page.name)
    assert unguarded == []


_CONSTANT = re.compile(r"^_?[A-Z][A-Z0-9_]*$")
# names that are code, not input: a dataclass whose field names make a column list; a migration's index
_CODE_NAMES = {"Indicator", "version"}


def test_sql_text_is_built_from_constants_only_never_from_input():
    """Values reach DuckDB as parameters; SQL text may only be a literal or made of module constants."""
    built_from_input = []
    for path in sorted(p for folder in ("etl", "store", "analytics", "ui", "pages") for p in (REPO / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("execute", "executemany", "sql", "query") and node.args):
                continue
            text = node.args[0]
            if isinstance(text, ast.Constant):
                continue
            names = {n.id for n in ast.walk(text) if isinstance(n, ast.Name)}
            if not names or any(not _CONSTANT.match(n) and n not in _CODE_NAMES for n in names):
                built_from_input.append(f"{path.relative_to(REPO)}:{node.lineno}: {ast.unparse(text)[:60]}")
    assert built_from_input == []


def test_html_is_only_ever_the_apps_own_constant_styling():
    """Text from files and people is shown by Streamlit, which escapes it; raw HTML is only our own CSS."""
    raw = []
    for path in sorted(p for folder in ("ui", "pages") for p in (REPO / folder).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and any(k.arg == "unsafe_allow_html" for k in node.keywords) and node.args:
                names = {n.id for n in ast.walk(node.args[0]) if isinstance(n, ast.Name)}
                if any(not _CONSTANT.match(n) and n != "full_screen" for n in names):
                    raw.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert raw == []


_MATERIAL_ICON = re.compile(r"^:material/[a-z0-9_]+:$")


def test_icons_are_material_symbols_shipped_with_the_app_not_emoji():
    """Emoji are drawn by the reader's own fonts (a box on a machine without one); Streamlit serves the
    Material Symbols font itself, so those look the same on every office computer, offline too."""
    literals = []
    for path in [REPO / "app.py", *sorted(p for folder in ("ui", "pages") for p in (REPO / folder).rglob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "PageSpec":
                literals += [(path, node.args[2])]
            if isinstance(node, ast.Call):
                literals += [(path, k.value) for k in node.keywords if k.arg in ("icon", "page_icon")]
    shown = [(path.relative_to(REPO), value.lineno, value.value) for path, value in literals
             if isinstance(value, ast.Constant) and value.value is not None]
    assert len(shown) > 20  # the navigation's and the pages' icons were all found
    assert [icon for icon in shown if not _MATERIAL_ICON.match(icon[2])] == []
