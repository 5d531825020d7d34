#!/usr/bin/env bash
# Run the whole test suite, browser tests included: ./test.sh [pytest arguments]
#
#   ./test.sh                      # everything (tests/, with tests/e2e in headless Chromium)
#   ./test.sh --fast               # all but the browser, benchmark and fuzz tiers: day-to-day work
#   ./test.sh tests/e2e -q         # only the browser tests
#   XASO_E2E_DB=/tmp/demo.duckdb ./test.sh tests/e2e   # reuse a prebuilt demo database (copied first)
#
# Sets up .venv with requirements-dev.txt (skipped when unchanged; stamp .venv/.requirements-dev.sha256)
# and makes sure Chromium is there: as root on Debian/Ubuntu it is installed with apt-get, otherwise
# the script stops and says what to install. Browser tests are never skipped silently.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

REQUIREMENTS=(requirements-dev.txt requirements.txt)  # the first is installed; all are hashed
STAMP=".venv/.requirements-dev.sha256"
export XASO_CHROMIUM="${XASO_CHROMIUM:-/usr/bin/chromium}"
FAST=0
if [[ "${1:-}" == "--fast" ]]; then FAST=1; shift; fi

die() { printf 'test.sh: %s\n' "$*" >&2; exit 1; }

# --- Python >= 3.11, pinned requirements (skipped when unchanged) ---------------------------------
source scripts/venv.sh

# --- Chromium (Debian's package; Playwright never downloads a browser here) ------------------------
packages=()
[[ -x "$XASO_CHROMIUM" || $FAST -eq 1 ]] || packages+=(chromium)
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
    elif [[ ! -x "$XASO_CHROMIUM" && $FAST -eq 0 ]]; then
        die "Chromium is needed for the browser tests (tests/e2e) and was not found at $XASO_CHROMIUM." \
            "Install it (Debian/Ubuntu as root: apt-get install chromium fonts-noto-core; elsewhere your" \
            "distribution's chromium package), or set XASO_CHROMIUM=/path/to/chromium-or-chrome."
    else
        echo "test.sh: note: no font with Vietnamese glyphs found; screenshots may lack diacritics" \
            "(apt-get install fonts-noto-core)." >&2
    fi
fi
[[ -x "$XASO_CHROMIUM" || $FAST -eq 1 ]] || die "Chromium is still missing at $XASO_CHROMIUM after the installation."

# --- Tests ---------------------------------------------------------------------------------------
if [[ $FAST -eq 1 ]]; then
    exec "$VENV/bin/python" -m pytest -m "not slow" "$@"
fi
exec "$VENV/bin/python" -m pytest "$@"
