#!/usr/bin/env bash
# Run the whole test suite, browser tests included: ./test.sh [pytest arguments]
#
#   ./test.sh                      # everything (tests/, with tests/e2e in headless Chromium)
#   ./test.sh tests/e2e -q         # only the browser tests
#   XASO_E2E_DB=/tmp/demo.duckdb ./test.sh tests/e2e   # reuse a prebuilt demo database (copied first)
#
# Sets up .venv with requirements-dev.txt (skipped when unchanged; stamp .venv/.requirements-dev.sha256)
# and makes sure Chromium is there: as root on Debian/Ubuntu it is installed with apt-get, otherwise
# the script stops and says what to install. Browser tests are never skipped silently.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

VENV=.venv
REQUIREMENTS=(requirements-dev.txt requirements.txt)  # the first is installed; all are hashed
STAMP="$VENV/.requirements-dev.sha256"
export XASO_CHROMIUM="${XASO_CHROMIUM:-/usr/bin/chromium}"

die() { printf 'test.sh: %s\n' "$*" >&2; exit 1; }

# --- Python >= 3.11 ------------------------------------------------------------------------------
find_python() {
    local candidate
    for candidate in ${PYTHON:-} python3 python3.14 python3.13 python3.12 python3.11; do
        if command -v "$candidate" >/dev/null 2>&1 \
            && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

venv_ok() {
    [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null
}

if ! venv_ok; then
    PY=$(find_python) || die "Python 3.11 or newer is required; found: $(python3 --version 2>&1 || echo 'no python3')." \
        "Install it (Debian/Ubuntu: apt-get install python3 python3-venv) or set PYTHON=/path/to/python3.11."
    [[ -e "$VENV" ]] && { echo "Replacing the unusable virtual environment $VENV ..."; rm -rf "$VENV"; }
    echo "Creating the virtual environment $VENV with $("$PY" --version) ..."
    "$PY" -m venv "$VENV" || { rm -rf "$VENV"; die "python -m venv failed; on Debian/Ubuntu install python3-venv."; }
fi

# --- Pinned requirements, skipped when unchanged ---------------------------------------------------
requirements_hash() {
    cat "${REQUIREMENTS[@]}" | "$VENV/bin/python" -c 'import hashlib, sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())'
}
wanted=$(requirements_hash)
if [[ "$(cat "$STAMP" 2>/dev/null || true)" != "$wanted" ]]; then
    echo "Installing the pinned test requirements (${REQUIREMENTS[0]}); the first time takes a few minutes ..."
    "$VENV/bin/python" -m pip install --disable-pip-version-check --no-input -r "${REQUIREMENTS[0]}"
    printf '%s\n' "$wanted" >"$STAMP"
fi

# --- Chromium (Debian's package; Playwright never downloads a browser here) ------------------------
packages=()
[[ -x "$XASO_CHROMIUM" ]] || packages+=(chromium)
# A font with Vietnamese glyphs, so screenshots show the diacritics.
if command -v fc-list >/dev/null 2>&1 && [[ -z "$(fc-list ':lang=vi' family 2>/dev/null | head -n 1)" ]]; then
    packages+=(fonts-noto-core)
elif ! command -v fc-list >/dev/null 2>&1 && [[ ${#packages[@]} -gt 0 ]]; then
    packages+=(fonts-noto-core)  # fontconfig comes with chromium; add the font in the same go
fi
if [[ ${#packages[@]} -gt 0 ]]; then
    if [[ "$XASO_CHROMIUM" == /usr/bin/chromium && $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        echo "Installing ${packages[*]} with apt-get ..."
        log=$(mktemp)
        if ! { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
                "${packages[@]}"; } >"$log" 2>&1; then
            cat "$log" >&2
            rm -f "$log"
            die "apt-get could not install ${packages[*]}."
        fi
        rm -f "$log"
    elif [[ ! -x "$XASO_CHROMIUM" ]]; then
        die "Chromium is needed for the browser tests (tests/e2e) and was not found at $XASO_CHROMIUM." \
            "Install it (Debian/Ubuntu as root: apt-get install chromium fonts-noto-core; elsewhere your" \
            "distribution's chromium package), or set XASO_CHROMIUM=/path/to/chromium-or-chrome."
    else
        echo "test.sh: note: no font with Vietnamese glyphs found; screenshots may lack diacritics" \
            "(apt-get install fonts-noto-core)." >&2
    fi
fi
[[ -x "$XASO_CHROMIUM" ]] || die "Chromium is still missing at $XASO_CHROMIUM after the installation."

# --- Tests ---------------------------------------------------------------------------------------
exec "$VENV/bin/python" -m pytest "$@"
