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

# --- Database: reference data, demo data when it holds no observations -----------------------------
"$VENV/bin/python" -m etl init

# --- The app -------------------------------------------------------------------------------------
exec "$VENV/bin/python" -m ui.launch \
    --server.port "${PORT:-8501}" --server.headless true --browser.gatherUsageStats false "$@"
