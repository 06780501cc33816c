#!/usr/bin/env bash
# Runs the fault and hostile-input tests one file at a time and stores the figures they print
# (`[figure] ...` lines) in loadtest/results/<date>-fault-figures.md, with the machine, its load
# average and the commit, so docs/RELIABILITY.md can name the file its figures come from.
#   bash scripts/fault-figures.sh [TEST_FILE ...]
set -uo pipefail
cd "$(dirname "$0")/.."
files=("$@")
[[ ${#files[@]} -eq 0 ]] && files=(test/faults/worker-kill.test.ts test/faults/coordinator-kill.test.ts
  test/faults/worker-hang.test.ts test/faults/process-deaths.test.ts test/faults/pause.test.ts
  test/faults/scores-link-down.test.ts test/faults/scores-coordinator-hung.test.ts test/faults/full-disk.test.ts
  test/hostile/decoder-attacks.test.ts test/hostile/fuzz.test.ts)
out="loadtest/results/$(date -u +%F)-fault-figures.md"
npm run build >/dev/null || exit 1
{
  echo "# fault figures"
  echo
  echo "- run: $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- server shared || echo ' (with uncommitted server changes)')"
  echo "- machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), Node $(node --version), load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
  echo "- command: \`bash scripts/fault-figures.sh\` (each file: \`npx vitest run FILE\`)"
  echo
  echo "| test file | result | figure |"
  echo "| --- | --- | --- |"
} >"$out.tmp"
status=0
for f in "${files[@]}"; do
  log=$(npx vitest run "$f" 2>&1)
  rc=$?
  [[ $rc -ne 0 ]] && status=1
  result=$(grep -E '^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' <<<"$log" | tail -1)
  figures=$(grep -o '\[figure\].*' <<<"$log" | sed 's/^\[figure\] //')
  [[ -z "$figures" ]] && figures="(no figure printed)"
  while IFS= read -r fig; do
    echo "| \`$f\` | ${result:-exit $rc} | ${fig//|/\\|} |" >>"$out.tmp"
  done <<<"$figures"
  echo "load average after $f: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
done
mv "$out.tmp" "$out"
echo "wrote $out" >&2
exit $status
