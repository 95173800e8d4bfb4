#!/usr/bin/env bash
# Issue 6: debug-register values survive thousands of exits and vCPU
# switches, and migrations between CPUs. (a) two drtest VMs pinned to one
# CPU, time-sliced, each checking its own DR0-DR3/DR7 values in a loop of
# CPUID exits; (b) three drtest VMs free to move on two CPUs, so that the
# balancer migrates them while their debug state is loaded.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

test_init dr-switch-migrate
G="$BUILD/guest"

iso="$T_DIR/pinned.iso"
make_test_iso "$iso" \
    --vm "name=p1,kernel=$G/drtest.elf,pin=0,cmdline=\"loops=1500 seed=11\"" \
    --vm "name=p2,kernel=$G/drtest.elf,pin=0,cmdline=\"loops=1500 seed=22\""
boot_bochs --run pinned "$iso" 2 300
log=$BOCHS_LOG
for vm in p1 p2; do
    check "$vm-loop" "$vm: the DR loop did not pass" \
        expect_line "$log" "^\[$vm\] drtest: PASS dr-loop: 1500 iterations"
    check "$vm-all" "$vm: not every check passed" expect_line "$log" "^\[$vm\] drtest: [0-9]+ passed, 0 failed"
done
# Both ran on CPU 0, switching many times, with thousands of exits each.
switches_ok() {
    clean_log "$log" | awk '/^result vm=p[12] vcpu=0 / {
        for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        if (v["switches"] < 5 || v["exits"] < 3000) bad = 1; n++ }
        END { exit !(n == 2 && !bad) }'
}
check switched "each VM should show >= 5 switches and >= 3000 exits" switches_ok
check_clean_run "$log" "$T_DIR/pinned.txt"

iso="$T_DIR/free.iso"
make_test_iso "$iso" \
    --vm "name=m1,kernel=$G/drtest.elf,cmdline=\"loops=1500 seed=1\"" \
    --vm "name=m2,kernel=$G/drtest.elf,cmdline=\"loops=1500 seed=2\"" \
    --vm "name=m3,kernel=$G/drtest.elf,cmdline=\"loops=1500 seed=3\""
boot_bochs --run free "$iso" 2 300
log=$BOCHS_LOG
for vm in m1 m2 m3; do
    check "$vm-all" "$vm: not every check passed" expect_line "$log" "^\[$vm\] drtest: [0-9]+ passed, 0 failed"
done
migrated() {
    clean_log "$log" | awk '/^result vm=m[123] vcpu=0 / {
        for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "migrations") m += kv[2] } }
        END { exit !(m > 0) }'
}
check migrated "no vCPU migrated between the CPUs" migrated
check_clean_run "$log" "$T_DIR/free.txt"
finish
