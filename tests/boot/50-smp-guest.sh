#!/usr/bin/env bash
# The SMP guest under Tern: 4 vCPUs on 2 CPUs. The guest's BSP starts the
# other vCPUs with INIT-SIPI-SIPI through the virtual LAPIC, they exchange
# fixed IPIs (ping-pong, broadcasts, logical and lowest-priority
# destinations, all-to-all), and it checks priorities, TPR, NMI, the timer
# in one-shot, periodic and TSC-deadline modes (on every vCPU at once),
# x2APIC mode, disabling and re-enabling the APIC, and INIT + SIPI of a
# running AP. Every check must pass and every vCPU must be accounted for.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

test_init smp-guest
iso="$T_DIR/smp.iso"
log="$T_DIR/bochs-serial.log"
make_test_iso "$iso" --module "$BUILD/guest/smp.elf='vm:name=smp,cpus=4'"
boot_bochs --log "$log" "$iso" 2 300
check_clean_run "$log" "$T_DIR/run.txt"

clean_log "$log" | grep -aE '^\[smp\] smp: (PASS|FAIL|SKIP) ' | sed 's/^/  /'
for t in bsp-apic cpuid-timing ap-start ipi-pingpong ipi-broadcast ipi-self ipi-logical \
         ipi-lowest ipi-mesh ipi-illegal priority tpr nmi timer-oneshot timer-periodic \
         timer-tsc-deadline timer-aps x2apic ipi-pingpong-x2apic apic-disable \
         ipi-pingpong-reenabled init-restart; do
    check "$t" "no 'smp: PASS $t' line" expect_line "$log" "^\[smp\] smp: PASS $t(:|$)"
done
summary=$(clean_log "$log" | grep -aE '^\[smp\] smp: [0-9]+ passed, [0-9]+ failed' | tail -n 1)
check summary "guest summary '${summary:-none}' is not 'N passed, 0 failed'" \
    expect_line "$log" '^\[smp\] smp: [0-9]+ passed, 0 failed'
ipis=$(clean_log "$log" | sed -nE 's/^\[smp\] smp: ipis=([0-9]+).*/\1/p' | tail -n 1)
echo "  (IPIs sent and counted by the guest: ${ipis:-?})"
check ipi-count "guest counted ${ipis:-no} IPIs" test "${ipis:-0}" -ge 300
check exit-0 "the VM did not end with debug exit 0 (status 1)" \
    expect_line "$log" '^result vm=smp state=ended end=debug-exit status=1 vcpus=4 '
for v in 0 1 2 3; do
    check "vcpu$v-accounted" "no summary line for vcpu $v with halts" \
        expect_line_all "$log" "^result vm=smp vcpu=$v run_us=[0-9]+ " ' halts=[1-9]'
done
finish
