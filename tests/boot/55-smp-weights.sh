#!/usr/bin/env bash
# Issue 5 (a), as the issue states it: three VMs with two CPU-bound vCPUs
# each (SMP guests that start their second vCPU with INIT-SIPI) on two CPUs,
# weights 1:1:2. Every vCPU computes for the same stretch of global time
# and reports the work it did; per VM the work must come out 1:1:2 within
# +-5 %. All six vCPUs finish and the summary accounts for each.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

test_init smp-weights
G="$BUILD/guest"
iso="$T_DIR/t.iso"
make_test_iso "$iso" \
    --vm "name=w1a,kernel=$G/smp.elf,cpus=2,weight=1,cmdline=\"mode=burn ms=3000\"" \
    --vm "name=w1b,kernel=$G/smp.elf,cpus=2,weight=1,cmdline=\"mode=burn ms=3000\"" \
    --vm "name=w2,kernel=$G/smp.elf,cpus=2,weight=2,cmdline=\"mode=burn ms=3000\""
boot_bochs "$iso" 2 400
log=$BOCHS_LOG
shares() {
    clean_log "$log" | awk '
        /^\[(w1a|w1b|w2)\] smp: burn total work=/ {
            vm = substr($1, 2, length($1) - 2); split($NF, kv, "="); w[vm] = kv[2]; n++ }
        END {
            if (n != 3) { print "  only " n " of 3 VMs reported"; exit 1 }
            unit = (w["w1a"] + w["w1b"] + w["w2"] / 2) / 3
            printf "  work per VM: w1a=%d w1b=%d w2=%d -> %.3f : %.3f : %.3f (want 1:1:2)\n",
                w["w1a"], w["w1b"], w["w2"], w["w1a"] / unit, w["w1b"] / unit, w["w2"] / unit
            exit !(w["w1a"] / unit >= 0.95 && w["w1a"] / unit <= 1.05 &&
                   w["w1b"] / unit >= 0.95 && w["w1b"] / unit <= 1.05 &&
                   w["w2"] / unit >= 1.90 && w["w2"] / unit <= 2.10) }'
}
check shares "CPU shares of the three SMP VMs not 1:1:2 within 5 %" shares
for vm in w1a w1b w2; do
    check "$vm-both-vcpus" "$vm: not both vCPUs did work" \
        expect_line "$log" "^\[$vm\] smp: burn cpu 1 work=[1-9]"
    check "$vm-ended" "$vm did not end normally with 2 vCPUs" \
        expect_line_all "$log" "^result vm=$vm " 'state=ended' 'end=debug-exit' 'vcpus=2 '
    accounted() { [[ $(count_lines "$log" "^result vm=$1 vcpu=[01] run_us=[1-9]") -eq 2 ]]; }
    check "$vm-accounted" "$vm: the summary does not account for both vCPUs" accounted "$vm"
done
check_clean_run "$log" "$T_DIR/run.txt"
finish
