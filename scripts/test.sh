#!/usr/bin/env bash
# Run the whole test suite: sets up .venv (if needed) with the test extras, then
# ruff, mypy and pytest (browser tests included when Chromium is installed).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
# The browser tests drive Debian's chromium (never a downloaded browser) and need CJK fonts.
# Install them when we can (root with apt); otherwise those tests skip with a reason.
if { ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; } \
   && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk >/dev/null \
    || echo "warning: could not install chromium/fonts-noto-cjk; browser tests will skip" >&2
fi
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
