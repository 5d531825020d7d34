# Sourced by run.sh and test.sh: a local .venv on Python >= 3.11 with pinned requirements installed,
# skipped when unchanged. Expects REQUIREMENTS (the first file is installed, all are hashed), STAMP and a
# die() function; leaves VENV set.
VENV=.venv

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

requirements_hash() {
    cat "${REQUIREMENTS[@]}" | "$VENV/bin/python" -c 'import hashlib, sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())'
}
wanted=$(requirements_hash)
if [[ "$(cat "$STAMP" 2>/dev/null || true)" != "$wanted" ]]; then
    echo "Installing the pinned requirements (${REQUIREMENTS[0]}); the first time takes a few minutes ..."
    "$VENV/bin/python" -m pip install --disable-pip-version-check --no-input -r "${REQUIREMENTS[0]}"
    printf '%s\n' "$wanted" >"$STAMP"
fi
