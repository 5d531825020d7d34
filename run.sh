#!/usr/bin/env bash
# Start Xã Số: a local virtual environment with the pinned requirements, the database (demo data on
# the first run), then the Streamlit app on http://localhost:${PORT:-8501}.
#
#   ./run.sh                              # from any directory
#   PORT=8080 ./run.sh                    # another port
#   XASO_DB=/srv/xaso.duckdb ./run.sh     # another database file
#   ./run.sh --server.address 0.0.0.0     # extra arguments go to `streamlit run`
#
# Needs only Python >= 3.11 with its venv module. The second run skips pip when requirements.txt is
# unchanged (stamp: .venv/.requirements.sha256).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

REQUIREMENTS=(requirements.txt)
STAMP=".venv/.requirements.sha256"

die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }

# --- Python >= 3.11, pinned requirements (skipped when unchanged) ---------------------------------
source scripts/venv.sh

# --- Chromium and a Vietnamese font, for the meeting pack's PDF and chart PNGs ---------------------
# Installed with apt-get when running as root on Debian/Ubuntu; otherwise the app still runs and its
# PDF/PNG buttons say what to install. The PowerPoint deck and the xlsx/csv downloads need neither.
chromium_bin="${XASO_CHROMIUM:-/usr/bin/chromium}"
missing=()
[[ -x "$chromium_bin" ]] || command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if ! command -v fc-list >/dev/null 2>&1 || [[ -z "$(fc-list ':lang=vi' family 2>/dev/null | head -n 1)" ]]; then
    missing+=(fonts-noto-core)
fi
if [[ ${#missing[@]} -gt 0 ]]; then
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        echo "Installing ${missing[*]} with apt-get (for the PDF and PNG exports) ..."
        { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
            "${missing[@]}"; } >/dev/null 2>&1 || echo "run.sh: note: apt-get could not install ${missing[*]};" \
            "the PDF and PNG exports will say what is missing." >&2
    else
        echo "run.sh: note: ${missing[*]} not found; the PDF and PNG exports need them" \
            "(Debian/Ubuntu: sudo apt-get install chromium fonts-noto-core)." >&2
    fi
fi

# --- Database: reference data, demo data when it holds no observations -----------------------------
"$VENV/bin/python" -m etl init

# --- The app -------------------------------------------------------------------------------------
exec "$VENV/bin/python" -m ui.launch \
    --server.port "${PORT:-8501}" --server.headless true --browser.gatherUsageStats false "$@"
