#!/usr/bin/env bash
# Issue 6: hypervisor watchpoints from the command line, by symbol and by
# address, reported with slot, address, RIP (symbolized) and CPU; bad specs
# are errors naming them; guests keep their own debug registers meanwhile.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

test_init watchpoints
addr=$(awk '$2 == "vms_running" { sub(/^0+/, "", $1); print $1 }' "$BUILD/tern.sym")
iso="$T_DIR/t.iso"
make_test_iso "$iso" \
    --cmdline "watch=w:vms_running watch=x:summary_print watch=rw:0x$addr/4 watch=w:no_such_symbol" \
    --vm "name=dr,kernel=$BUILD/guest/drtest.elf,cmdline=\"loops=200\"" \
    --vm "name=h,kernel=$BUILD/guest/hello.elf"
boot_bochs "$iso" 2 240
log=$BOCHS_LOG
check armed-symbol "watchpoint 0 not armed on vms_running" \
    expect_line "$log" "watchpoint 0: write of 4 bytes at 0x$addr \(vms_running\) on every CPU"
check armed-exec "watchpoint 1 (execute) not armed" \
    expect_line "$log" 'watchpoint 1: execute of 1 byte at 0x[0-9a-f]+ \(summary_print\)'
check armed-addr "watchpoint 2 (read/write by address) not armed" \
    expect_line "$log" 'watchpoint 2: read/write of 4 bytes'
check bad-symbol "unknown symbol not reported" \
    expect_line "$log" "error: watch=w:no_such_symbol: unknown symbol 'no_such_symbol'"
check hit-report "no hit reported with RIP and symbol" \
    expect_line "$log" '^\[cpu[0-9]+\] watchpoint 0 hit: write of 0x[0-9a-f]+ \(vms_running\) by RIP 0x[0-9a-f]+ \(sched_[a-z_]+\+0x[0-9a-f]+\)'
# vms_running is written once at start and once per VM that ends: 3 writes.
check hit-count "watchpoint 0 should count 3 writes" expect_line "$log" '^result watch=0 hits=3$'
check exec-count "summary_print executed once" expect_line "$log" '^result watch=1 hits=1$'
check rw-count "read/write watchpoint saw no access" expect_line "$log" '^result watch=2 hits=[1-9]'
check guest-dr "the guest's own debug registers misbehaved" \
    expect_line "$log" '^\[dr\] drtest: [0-9]+ passed, 0 failed'
check_clean_run "$log" "$T_DIR/run.txt"
finish
