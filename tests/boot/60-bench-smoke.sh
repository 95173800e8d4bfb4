#!/usr/bin/env bash
# 60-bench-smoke.sh: guest/bench runs under Tern in Bochs (1 CPU) with a
# tiny goal and every operation, prints one well-formed line per operation
# (figures, or "n/a (reason)" for what this Tern cannot do yet), and Tern's
# summary attributes the CPUID loop's exits to CPUID. The real measurement
# is `make bench` (tools/bench.sh); this only keeps the guest and its output
# format working.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

test_init bench-smoke
GUEST="$BUILD/guest/bench.elf"
if [[ ! -f $GUEST ]]; then
    fail build "$GUEST missing"
    finish
fi
iso="$T_DIR/bench.iso"
make_test_iso "$iso" --module "$GUEST='vm:name=bench,cmdline=\"goal=20000\"'"
boot_bochs "$iso" 1 120
log=$BOCHS_LOG

ops="nop cpuid vmcall out80 in80 dr7-cold dr7-read dr0-write cpuid-drloaded
     cpuid-dr6dirty cpuid-dr7armed hlt-timer ipi switch"
num='[0-9]+\.[0-9]{2}'
line_re() {  # OP: a measured line or an n/a line
    echo "bench: op=$1 (iters=[0-9]+ total=[0-9]+ ticks=[0-9]+ base_ticks=[0-9]+ ticks_per_op=$num base_per_op=$num net=-?$num|n/a \(.+\)) *$"
}
missing=""
for op in $ops; do
    expect_line "$log" "$(line_re "$op")" || missing+=" $op"
done
check op-lines "no well-formed line for:$missing" test -z "$missing"
check header "no 'bench: start tern=1' line" expect_line "$log" 'bench: start tern=1 apic=[01] goal=20000 dry=0'
check finished "no 'bench: done'" expect_line "$log" 'bench: done'
check guest-exit "guest did not exit 0" expect_line "$log" 'guest: exit 0'

# Under Tern these never exit-free: a CPUID costs more than its NOP twin,
# and the warm debug-register loops cost exactly what their twins cost.
cpuid_net=$(clean_log "$log" | sed -nE 's/.*bench: op=cpuid iters=.* net=([0-9]+)\..*/\1/p' | head -n 1)
check cpuid-exits "CPUID net cost '${cpuid_net}' is not positive" test "${cpuid_net:-0}" -gt 0
check dr-warm-native "warm MOV DR loop is not native" \
    expect_line "$log" 'bench: op=dr7-read .* net=0\.00'
# One result line per vCPU with the CPUID exits (reason 10) counted.
check summary-cpuid "no CPUID exits in Tern's summary" \
    expect_line "$log" '^result vm=bench vcpu=0 .* exit\.10=[0-9]+'
check_clean_run "$log" "$T_DIR/run.txt"
finish
