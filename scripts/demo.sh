#!/usr/bin/env bash
# Set up .venv, then run the main job on the bundled example compound: print its
# register, pass its checks (bean-check, then the audit report), show it among an example
# district's compounds (the street office's table), and serve its books in Fava,
# read-only and in Chinese, on http://127.0.0.1:5000 (Ctrl-C stops it).
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
echo "== 街道汇总 (district): the example among ~30 generated compounds; one is broken on purpose"
DISTRICT="${TMPDIR:-/tmp}/assetreg-demo-district"
[ -d "$DISTRICT" ] || python ledgers/make_district.py "$DISTRICT" >/dev/null
rm -rf "$DISTRICT/qjp-jinghu-garden" && cp -r "$LEDGER" "$DISTRICT/"
# the report first brings the district store up to date (only changed compounds are loaded)
assetreg district report "$DISTRICT" --jobs 2 --sort gross --desc > "$DISTRICT/.report.txt"
head -n 8 "$DISTRICT/.report.txt"; echo "… (assetreg district report $DISTRICT; serve: assetreg serve --district $DISTRICT)"
if [ "${1:-}" != "--no-serve" ]; then
  echo "== serving $LEDGER read-only on http://127.0.0.1:${PORT:-5000}/ (Ctrl-C to stop)"
  exec assetreg serve "$LEDGER" --port "${PORT:-5000}"
fi
