#!/usr/bin/env bash
# QEMU TCG (no VMX) booting through SeaBIOS: the kernel must say that the CPU
# lacks VMX and power off cleanly, quickly.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

limit=10  # seconds of wall time from starting QEMU to its exit
test_init qemu-bios-novmx
log="$T_DIR/qemu-serial.log"
run_logged "$T_DIR/run.txt" "$ROOT/run-qemu.sh" --quiet --iso "$ISO" \
    --accel tcg --timeout 30 --workdir "$T_DIR" --log "$log"
echo "  (qemu run: ${RUN_SECONDS} s, status $RUN_STATUS)"

check lacks-vmx "no line matching 'lacks VMX'" expect_line "$log" 'lacks VMX'
check_clean_run "$log" "$T_DIR/run.txt"
check time "took ${RUN_SECONDS} s, limit ${limit} s" le "$RUN_SECONDS" "$limit"
finish
