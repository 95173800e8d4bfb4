#!/usr/bin/env bash
# The SMP guest on bare Bochs (4 CPUs, no Tern): checks the guest itself
# against an independent local APIC model, so that a pass under Tern
# (50-smp-guest.sh) means what it says. The TSC and APIC timer rates are
# measured against the PIT there. Skipped, because Bochs 2.7 differs from
# the SDM: apic-disable (a globally disabled APIC cannot be re-enabled),
# and init-restart (INIT + SIPI of an AP in x2APIC mode never comes back;
# in xAPIC mode it works). Bochs also keeps IA32_TSC_DEADLINE after the
# timer fires and sets no ESR bit for an illegal vector: the guest accepts
# that when it is not under Tern.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

test_init smp-bare-bochs
elf="$BUILD/guest/smp.elf"
if [[ ! -f $elf ]]; then
    fail build "$elf missing"
    finish
fi
# guest_exit writes "Shutdown" to port 0x8900, which stops Bochs.
if ! boot_bare_bochs "$T_DIR" "$elf" "cpus=4 skip=apic-disable,init-restart" \
        corei7_skylake_x 4 50000000 300; then
    fail mkrescue "grub-mkrescue failed"
    sed 's/^/  | /' "$T_DIR/mkrescue.txt"
    finish
fi
log="$T_DIR/serial.log"
echo "  (bochs run: ${RUN_SECONDS} s, status $RUN_STATUS)"
T_SHOW_LOG=$log

clean_log "$log" | grep -aE '^smp: (PASS|FAIL|SKIP) ' | sed 's/^/  /'
check summary "no 'smp: N passed, 0 failed' line" \
    expect_line "$log" '^smp: [1-9][0-9]* passed, 0 failed'
check exit-0 "no 'guest: exit 0' line" expect_line "$log" '^guest: exit 0'
finish
