# Sourced by the scripts: where the project's virtual environment is and which Python makes it.
VENV="${VENV:-$PWD/.venv}"
if [[ -n "${PYTHON:-}" ]]; then BASE_PYTHON="$PYTHON"
elif [[ -x /usr/bin/python3 ]]; then BASE_PYTHON=/usr/bin/python3
else BASE_PYTHON=python3
fi
export PATH="$VENV/bin:$PATH"
