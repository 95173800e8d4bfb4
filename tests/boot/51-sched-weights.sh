#!/usr/bin/env bash
# Issue 5 (a), over-commit with weights: six CPU-bound vCPUs on two CPUs,
# in three groups of two with weights 1:1:2, unpinned (the balancer places
# them). Each vCPU computes for the same stretch of global time and reports
# the work it got done, which is proportional to its CPU share: the groups
# must come out 1:1:2 within +-5 %. Nothing is lost: every VM ends and the
# summary accounts for all of them.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

test_init sched-weights
G="$BUILD/guest"
spin=150000000
args=()
for vm in a1:1 a2:1 b1:1 b2:1 c1:2 c2:2; do
    n=${vm%:*} w=${vm#*:}
    args+=(--vm "name=$n,kernel=$G/hello.elf,weight=$w,cmdline=\"name=$n loops=1 spin=$spin\"")
done
iso="$T_DIR/t.iso"
make_test_iso "$iso" "${args[@]}"
boot_bochs "$iso" 2 400
log=$BOCHS_LOG

shares() {
    clean_log "$log" | awk '
        /^\[[abc][12]\] hello: spin [0-9]+ ticks: work=/ {
            g = substr($1, 2, 1); split($NF, kv, "="); w[g] += kv[2]; n++ }
        END {
            if (n != 6) { print "  only " n " of 6 vCPUs reported"; exit 1 }
            unit = (w["a"] + w["b"] + w["c"] / 2) / 3
            printf "  work per group: a=%d b=%d c=%d -> %.3f : %.3f : %.3f (want 1:1:2)\n",
                w["a"], w["b"], w["c"], w["a"] / unit, w["b"] / unit, w["c"] / unit
            bad = 0
            if (w["a"] / unit < 0.95 || w["a"] / unit > 1.05) bad = 1
            if (w["b"] / unit < 0.95 || w["b"] / unit > 1.05) bad = 1
            if (w["c"] / unit < 1.90 || w["c"] / unit > 2.10) bad = 1
            exit bad }'
}
check shares "CPU shares not 1:1:2 within 5 %" shares
check all-ended "not every VM ended normally" \
    expect_line "$log" '^result vms=6$'
ended() { [[ $(count_lines "$log" '^result vm=[abc][12] state=ended end=debug-exit status=1 ') -eq 6 ]]; }
check none-lost "a VM is missing or did not end with status 1" ended
check_clean_run "$log" "$T_DIR/run.txt"
finish
