#!/usr/bin/env bash
# Issue 3: on a Bochs CPU model with VMX but without EPT (Core 2 Penryn),
# Tern names the missing feature and stops cleanly (power off, no panic).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

test_init missing-ept
boot_bochs "$ISO" 2 120 --model core2_penryn_t9600
log=$BOCHS_LOG
check names-ept "no error naming the missing EPT" \
    expect_line "$log" 'error: VMX unavailable: CPU lacks .*EPT'
check no-vm "a VM ran although VMX is unusable" expect_no_line "$log" '^result vm='
check_clean_run "$log" "$T_DIR/run.txt"
finish
