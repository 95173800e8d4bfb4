#!/usr/bin/env bash
# QEMU TCG (no VMX) booting through OVMF (GRUB EFI -> multiboot2): the kernel
# must say that the CPU lacks VMX and power off cleanly.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

limit=30  # seconds of wall time from starting QEMU to its exit (~4 s seen)
test_init qemu-uefi-novmx
log="$T_DIR/qemu-serial.log"
run_logged "$T_DIR/run.txt" "$ROOT/run-qemu.sh" --quiet --uefi --iso "$ISO" \
    --accel tcg --timeout 60 --workdir "$T_DIR" --log "$log"
echo "  (qemu uefi run: ${RUN_SECONDS} s, status $RUN_STATUS)"

check lacks-vmx "no line matching 'lacks VMX'" expect_line "$log" 'lacks VMX'
check_clean_run "$log" "$T_DIR/run.txt"
check time "took ${RUN_SECONDS} s, limit ${limit} s" le "$RUN_SECONDS" "$limit"
finish
