#!/usr/bin/env bash
# 21-drtest-bare-bochs.sh: run guest/drtest directly on bare Bochs (no Tern)
# to show that the test suite itself agrees with a second CPU model.
#
# Bochs cannot load a multiboot kernel by itself, so the guest is booted by
# GRUB from an ISO (grub-mkrescue, "multiboot /boot/drtest.elf ARGS").
# Headless Bochs per docs/test-rig.md (boot_bare_bochs in lib.sh): term
# display with stdout to a file, an rc file "c" + "quit", stdin from
# /dev/null, under timeout. The guest ends through Bochs's shutdown port
# 0x8900 (status 1, expected): the run is judged by the serial log only.
#
# Usage: tests/boot/21-drtest-bare-bochs.sh [drtest command line]
#   default command line: "loops=1000 seed=3"
#   env: MODEL (default corei7_skylake_x), TIMEOUT (default 120 s),
#        NO_BUILD=1 to skip `make guests`, KEEP=1 to keep the work dir.
# Prints PASS:/FAIL: lines and exits 0 when every drtest check passed.
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
. "$repo/tests/boot/lib.sh"  # for boot_bare_bochs; pass and fail are redefined below
name=drtest-bare-bochs
args=${1:-"loops=1000 seed=3"}
model=${MODEL:-corei7_skylake_x}
timeout_s=${TIMEOUT:-120}
build_dir=${TERN_BUILD_DIR:-$repo/build}
elf="$build_dir/guest/drtest.elf"
status=0

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; status=1; }

for tool in bochs grub-mkrescue xorriso mformat; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "FAIL: $name: $tool not installed"
        exit 1
    fi
done
if [[ -z ${NO_BUILD:-} ]]; then
    make -C "$repo" -s guests >/dev/null || { echo "FAIL: $name: make guests"; exit 1; }
fi
[[ -f $elf ]] || { echo "FAIL: $name: $elf missing"; exit 1; }

mkdir -p "$build_dir/tests"
work=$(mktemp -d "$build_dir/tests/$name.XXXXXX")
[[ -n ${KEEP:-} ]] || trap 'rm -rf "$work"' EXIT

# --- the ISO and Bochs --------------------------------------------------------
serial="$work/serial.log"
if ! boot_bare_bochs "$work" "$elf" "$args" "$model" 1 4000000 "$timeout_s"; then
    cat "$work/mkrescue.txt"
    echo "FAIL: $name: grub-mkrescue"
    exit 1
fi
[[ $RUN_STATUS -ne 124 ]] || fail "$name: Bochs timed out after $timeout_s s"

# --- verdict -----------------------------------------------------------------
summary=$(grep -aE '^drtest: [0-9]+ passed, [0-9]+ failed' "$serial" | tail -n 1)
if [[ -z $summary ]]; then
    fail "$name: no summary line in the serial log ($serial)"
    tail -n 20 "$serial" 2>/dev/null | sed 's/^/  | /'
else
    grep -aE '^drtest: (PASS|FAIL|SKIP) ' "$serial" | sed 's/^/  /'
    failed=$(sed -E 's/.* ([0-9]+) failed/\1/' <<<"$summary")
    passed=$(sed -E 's/^drtest: ([0-9]+) passed.*/\1/' <<<"$summary")
    if [[ $failed -eq 0 && $passed -gt 0 ]]; then
        pass "$name: $summary ($RUN_SECONDS s, Bochs $model)"
    else
        fail "$name: $summary"
    fi
fi
if grep -aq '^guest: exit ' "$serial"; then
    code=$(grep -a '^guest: exit ' "$serial" | tail -n 1 | awk '{print $3}')
    if [[ $code -eq 0 ]]; then
        pass "$name: guest exit code 0"
    else
        fail "$name: guest exit code $code"
    fi
else
    fail "$name: no 'guest: exit' line"
fi
[[ -z ${KEEP:-} ]] || echo "work dir kept: $work"
exit $status
