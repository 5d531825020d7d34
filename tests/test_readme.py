"""The README never lies: settings documented, commands real, CI runs the README's test command."""

from __future__ import annotations

import re

from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
CODE = [p for p in REPO.rglob("*.py") if ".venv" not in p.parts and p.name != "test_readme.py"]


def test_every_setting_the_code_reads_is_documented():
    # os.environ.get("XASO_DB"), environ["…"], and config.py's _number("XASO_…", default)
    read = re.compile(r"""(?:environ[^"']{0,20}|_number\()["'](XASO_[A-Z0-9_]+)""")
    used = {name for path in CODE for name in read.findall(path.read_text(encoding="utf-8"))}
    assert used
    assert sorted(name for name in used if f"`{name}`" not in README) == []


def test_ci_runs_the_test_command_the_readme_gives():
    assert "./test.sh" in README
    assert re.search(r"^\s*(exec\s+)?\./test\.sh\b", (REPO / ".ci" / "run").read_text(), re.MULTILINE)


def test_the_commands_the_readme_gives_exist():
    for script in ("run.sh", "test.sh"):
        assert f"./{script}" in README and (REPO / script).is_file()
    for module in re.findall(r"python -m ([a-z_.]+)", README):
        assert (REPO / module.replace(".", "/")).with_suffix(".py").is_file() or (REPO / module).is_dir(), module


def test_the_readme_screenshot_exists():
    for image in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README):
        assert (REPO / image).is_file(), image


def test_the_fast_tier_leaves_out_the_browser_benchmark_and_fuzz_tests_and_nothing_else():
    import subprocess
    import sys

    def collected(*args: str) -> set[str]:
        done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", *args], cwd=REPO,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        return {line.split("::")[0] for line in done.stdout.splitlines() if "::" in line}

    everything, fast = collected(), collected("-m", "not slow")
    left_out = everything - fast
    assert left_out and all(f.startswith(("tests/e2e/", "tests/benchmarks/")) or f == "tests/etl/test_fuzz.py"
                            for f in left_out)
    assert {f for f in everything if f.startswith(("tests/e2e/", "tests/benchmarks/"))} <= left_out
    assert "tests/etl/test_fuzz.py" in left_out and "tests/etl/test_samples.py" in fast
    assert "--fast" in README
