#!/usr/bin/env bash
# Mutation testing of the rule modules with mutmut (not run in CI: minutes per module).
#
#   bash scripts/mutation.sh tally              # one module
#   bash scripts/mutation.sh tally cells gate   # several, one after the other
#   bash scripts/mutation.sh --list             # the modules and the tests each one runs
#
# Each module is mutated in a scratch copy of the working tree (default under
# ${MUTATION_DIR:-/tmp/assetreg-mutation}/<module>, kept for inspection), against only the
# test files that exercise it, with pytest -x. The score is killed / (killed + survived);
# timeouts count as killed, mutants no test reaches (no tests) as survivors. Survivors
# are listed with `mutmut show` hints; kill them with a test or note them as equivalent
# in tests/MUTATION.md.
#
# The habit: a change to a rule module runs this script over that module before it is
# committed, and the score in tests/MUTATION.md is updated.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PY=${PYTHON:-$ROOT/.venv/bin/python}
MUTMUT=${MUTMUT:-$ROOT/.venv/bin/mutmut}
OUT=${MUTATION_DIR:-/tmp/assetreg-mutation}
JOBS=${MUTATION_JOBS:-2}

# module key | file to mutate | test files (space separated)
MODULES=(
  "tally|assetreg/tally.py|tests/test_boundaries_tally.py tests/test_tally.py"
  "cells|importers/cells.py|tests/test_boundaries_cells.py tests/test_import_properties.py"
  "gate|assetreg/serve.py|tests/test_serve_exact.py tests/test_boundaries_gate.py tests/test_serve.py tests/security/test_serve_auth.py"
  "routes|assetreg/serve_policy.py|tests/test_routes_exact.py tests/security/test_serve_routes.py tests/test_serve.py"
  "registry|assetreg/registry.py|tests/test_boundaries_registry.py tests/test_boundaries_notice.py tests/test_registry_props.py tests/test_registry_cli.py"
  "seal|assetreg/seal.py|tests/test_seal_changes.py tests/test_boundaries_seal.py tests/test_seal.py"
  "money|assetreg/audit/money.py|tests/test_boundaries_audit.py tests/test_boundaries_audit_findings.py tests/test_audit.py"
  "billing|assetreg/audit/billing.py|tests/test_boundaries_audit.py tests/test_boundaries_audit_findings.py tests/test_audit.py"
  "income|assetreg/audit/income.py|tests/test_boundaries_audit.py tests/test_boundaries_audit_findings.py tests/test_audit.py"
  "disclosure-due|assetreg/audit/disclosure_due.py|tests/test_boundaries_audit.py tests/test_boundaries_audit_findings.py tests/test_audit.py"
  "disclosure|assetreg/disclosure.py|tests/test_disclosure_exact.py tests/test_disclosure.py"
  "engine|assetreg/policy/engine.py|tests/test_policy_engine_exact.py tests/test_policy_engine.py tests/test_gate_facts.py tests/test_consents_waitlist.py tests/test_resolutions.py"
  "plugin|assetreg/plugin.py|tests/test_plugin_errors.py tests/security/test_xss_textsafe.py tests/test_plugin.py"
  "bank|importers/bank.py|tests/test_bank_exact.py tests/test_boundaries_bank.py tests/test_import_bank.py"
)

if [ "${1:-}" = "--list" ] || [ $# = 0 ]; then
  for m in "${MODULES[@]}"; do IFS='|' read -r key file tests <<<"$m"; printf '%-15s %-28s %s\n' "$key" "$file" "$tests"; done
  [ $# = 0 ] && { echo "usage: $0 MODULE [MODULE...]" >&2; exit 2; }
  exit 0
fi

for want in "$@"; do
  found=""
  for m in "${MODULES[@]}"; do
    IFS='|' read -r key file tests <<<"$m"
    [ "$key" = "$want" ] && found=1 && break
  done
  [ -n "$found" ] || { echo "unknown module $want (see --list)" >&2; exit 2; }
  work="$OUT/$key"
  rm -rf "$work" && mkdir -p "$work"
  # a scratch copy of the working tree (tracked and new files, not ignored ones)
  git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
    [ -e "$f" ] && { mkdir -p "$work/$(dirname "$f")"; cp -p "$f" "$work/$f"; }
  done
  selection=$(printf '    %s\n' $tests)
  cat >"$work/setup.cfg" <<EOF
[mutmut]
source_paths =
    assetreg
    importers
only_mutate =
    $file
also_copy =
    policies
    ledgers
pytest_add_cli_args =
    -x
    -q
    -p
    no:cacheprovider
    -m
    not browser and not slow
pytest_add_cli_args_test_selection =
$selection
EOF
  echo "== $key: mutating $file against $tests (in $work)"
  start=$(date +%s)
  (cd "$work" && BEANCOUNT_DISABLE_LOAD_CACHE=1 PATH="$ROOT/.venv/bin:$PATH" \
     "$MUTMUT" run --max-children "$JOBS" >"$work/run.log" 2>&1) || { tail -30 "$work/run.log"; exit 1; }
  (cd "$work" && "$MUTMUT" results --all true >"$work/results.txt" 2>&1) || true
  "$PY" - "$work/results.txt" "$key" "$file" "$(( $(date +%s) - start ))" <<'EOF'
import collections, sys
path, key, file, secs = sys.argv[1:]
counts = collections.Counter()
survivors = []
for line in open(path, encoding="utf-8"):
    name, _, status = line.strip().rpartition(": ")
    if not name:
        continue
    counts[status] += 1
    if status in ("survived", "no tests"):
        survivors.append(f"{name}: {status}")
killed = counts["killed"] + counts["timeout"]
lived = counts["survived"] + counts["no tests"]
total = killed + lived
score = 100.0 * killed / total if total else 0.0
print(f"{key} ({file}): {killed}/{total} killed = {score:.1f}%  "
      f"[{', '.join(f'{k} {v}' for k, v in sorted(counts.items()))}] in {secs}s")
for s in survivors:
    print("  survived", s)
EOF
done
