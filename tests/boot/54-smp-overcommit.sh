#!/usr/bin/env bash
# Two SMP guests of 6 vCPUs each on 2 CPUs (12 vCPUs): both start their
# APs with INIT-SIPI-SIPI, run the whole IPI and timer suite at the same
# time while the scheduler time-slices and migrates their vCPUs, and every
# check passes in both; all 12 vCPUs are accounted for in the summary.
# The timer-aps check (6 vCPUs of a VM with 1 ms periodic timers at once)
# may lose ticks while a vCPU waits for one of the 2 CPUs: they coalesce,
# as on hardware, so its run may end up to 25 periods late (slack=25);
# it must never be early.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

test_init smp-overcommit
iso="$T_DIR/smp.iso"
log="$T_DIR/bochs-serial.log"
make_test_iso "$iso" --module "$BUILD/guest/smp.elf='vm:name=p,cpus=6,cmdline=\"slack=25\"'" \
    --module "$BUILD/guest/smp.elf='vm:name=q,cpus=6,cmdline=\"slack=25\"'"
boot_bochs --log "$log" "$iso" 2 400
check_clean_run "$log" "$T_DIR/run.txt"

clean_log "$log" | grep -aE '^\[[pq]\] smp: (FAIL|[0-9]+ passed|ipis=)|ap-start|ipi-mesh' |
    sed 's/^/  /'
migrations=0
for vm in p q; do
    check "$vm-ap-start" "VM $vm did not start its 5 APs" \
        expect_line "$log" "^\[$vm\] smp: PASS ap-start: 5 of 5 APs"
    check "$vm-all-pass" "VM $vm: no 'smp: N passed, 0 failed'" \
        expect_line "$log" "^\[$vm\] smp: (1[5-9]|[2-9][0-9]) passed, 0 failed"
    check "$vm-exit-0" "VM $vm did not end with debug exit 0" \
        expect_line "$log" "^result vm=$vm state=ended end=debug-exit status=1 vcpus=6 "
    for v in 0 1 2 3 4 5; do
        check "$vm-vcpu$v" "no summary line with halts for $vm vcpu $v" \
            expect_line_all "$log" "^result vm=$vm vcpu=$v run_us=[0-9]+ " ' halts=[1-9]'
        m=$(clean_log "$log" | sed -nE "s/^result vm=$vm vcpu=$v .* migrations=([0-9]+) .*/\1/p")
        migrations=$((migrations + ${m:-0}))
    done
done
echo "  (vCPU migrations during the run: $migrations)"
finish
