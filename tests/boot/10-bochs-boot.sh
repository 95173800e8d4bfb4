#!/usr/bin/env bash
# Boot the ISO in Bochs with 2 CPUs (VMX-capable model): the kernel prints its
# banner, memory and CPU summary, and powers off without a PANIC.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

test_init bochs-boot
log="$T_DIR/bochs-serial.log"
boot_bochs --log "$log" "$ISO" 2 120

# The banner is "Tern VERSION ..."; VERSION comes from git describe (a hash
# that may start with a letter, or "unknown" outside a git tree).
check banner "no line matching '^Tern [^ ]+'" expect_line "$log" '^Tern [^ ]+'
check memory "no line matching 'memory: total .* usable .*'" \
    expect_line "$log" 'memory: total .* usable .*'
check cpus "no line matching 'cpus: [0-9]+'" expect_line "$log" 'cpus: [0-9]+'
check_clean_run "$log" "$T_DIR/run.txt"
finish
