#!/usr/bin/env bash
# Set up .venv and run the main job on the bundled example compound:
# print its register, pass its checks.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e .
export PATH="$PWD/.venv/bin:$PATH"
export BEANCOUNT_DISABLE_LOAD_CACHE=1
LEDGER=ledgers/qjp-jinghu-garden
assetreg asset list -L "$LEDGER"
bean-check "$LEDGER/main.beancount" && echo "bean-check: OK ($LEDGER)"
