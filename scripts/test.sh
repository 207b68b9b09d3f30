#!/usr/bin/env bash
# Run the whole test suite: sets up .venv (if needed) with the test extras, then
# ruff, mypy and pytest (browser tests included when Chromium is installed).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e '.[test]'
export PATH="$PWD/.venv/bin:$PATH"
export BEANCOUNT_DISABLE_LOAD_CACHE=1
echo "== ruff"; ruff check .
echo "== mypy"; mypy
echo "== pytest"; exec pytest -q "$@"
