#!/usr/bin/env bash
# A fault inside Tern is a readable panic, never a silent triple fault:
# selftest=panic panics on purpose, selftest=fault writes to Tern's own
# read-only text (a #PF). Both must print why, where (file:line or vector,
# error code, RIP with its symbol, CR2) and the registers, then stop every
# CPU and say so. QEMU TCG with 2 CPUs: this needs no VMX.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

test_init panic-and-fault
for what in panic fault; do
    iso="$T_DIR/$what.iso"
    make_test_iso "$iso" --cmdline "selftest=$what"
    log="$T_DIR/$what.log"
    run_logged "$T_DIR/$what.txt" "$ROOT/run-qemu.sh" --quiet --iso "$iso" --cpus 2 \
        --accel tcg --timeout 60 --workdir "$T_DIR/$what" --log "$log"
    check "$what-regs" "no register dump" expect_line "$log" '^  RAX=[0-9a-f]{16} RBX='
    check "$what-rip-symbol" "RIP not named by symbol" expect_line "$log" '^  RIP is [a-z_]+\+0x[0-9a-f]+$'
    check "$what-stopped" "no 'halted after panic'" expect_line "$log" '^tern: halted after panic'
done
check panic-where "panic does not say why and where" \
    expect_line "$T_DIR/panic.log" '^PANIC on cpu0 at hv/main\.c:[0-9]+: selftest=panic: a deliberate panic$'
kmain=$(awk '$2 == "kmain" { sub(/^0+/, "", $1); print $1 }' "$BUILD/tern.sym")
check fault-vector "the #PF is not named with error code, RIP and CR2" \
    expect_line "$T_DIR/fault.log" "^PANIC on cpu0: exception 14 \(#PF page fault\), error code 0x3 at RIP 0x[0-9a-f]+, CR2 0x$kmain$"
finish
