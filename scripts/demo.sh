#!/usr/bin/env bash
# Set up .venv, then run the main job on the bundled example compound: print its
# register, pass its checks (bean-check, then the audit report), and serve its books in
# Fava, read-only and in Chinese, on http://127.0.0.1:5000 (Ctrl-C stops it).
# `bash scripts/demo.sh --no-serve` stops after the checks.
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
echo "== 共有资产登记簿 (register)"
assetreg asset list -L "$LEDGER"
echo "== bean-check"
bean-check "$LEDGER/main.beancount" && echo "bean-check: OK ($LEDGER)"
echo "== audit (business findings are expected in the example; exit 1 means findings, not failure)"
assetreg audit -L "$LEDGER" | tail -n 12 || [ $? -eq 1 ]
if [ "${1:-}" != "--no-serve" ]; then
  echo "== serving $LEDGER read-only on http://127.0.0.1:${PORT:-5000}/ (Ctrl-C to stop)"
  exec assetreg serve "$LEDGER" --port "${PORT:-5000}"
fi
