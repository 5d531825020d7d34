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

VENV=.venv
REQUIREMENTS=(requirements.txt)
STAMP="$VENV/.requirements.sha256"

die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }

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
    echo "Installing the pinned requirements (${REQUIREMENTS[*]}); the first time takes a few minutes ..."
    "$VENV/bin/python" -m pip install --disable-pip-version-check --no-input -r "${REQUIREMENTS[0]}"
    printf '%s\n' "$wanted" >"$STAMP"
fi

# --- Database: reference data, demo data when it holds no observations -----------------------------
"$VENV/bin/python" -m etl init

# --- The app -------------------------------------------------------------------------------------
exec "$VENV/bin/python" -m streamlit run app.py \
    --server.port "${PORT:-8501}" --server.headless true --browser.gatherUsageStats false "$@"
