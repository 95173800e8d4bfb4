#!/usr/bin/env bash
# String I/O (INS/OUTS, with REP, both directions, longer than one exit's
# chunk) on emulated ports works as on hardware: hello's strio checks pass
# under Tern as they do on bare QEMU (test 20), and its REP OUTSB text
# reaches the console. A REP INSB whose memory operand lies beyond the
# VM's RAM stops that VM with a report naming the address and RIP, and the
# other VM finishes.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

test_init string-io
iso="$T_DIR/t.iso"
make_test_iso "$iso" \
    --module "$BUILD/guest/hello.elf='vm:name=sio,cmdline=\"loops=3 strio=1\"'" \
    --module "$BUILD/guest/bad.elf='vm:name=insoob,cmdline=\"mode=ins-oob\"'"
boot_bochs "$iso" 1 240
log=$BOCHS_LOG

check outsb-text "the REP OUTSB text did not reach the console" \
    expect_line "$log" '^\[sio\] hello: rep outsb to COM1$'
check strio-ok "the guest's string I/O checks failed" \
    expect_line "$log" '^\[sio\] hello: string I/O ok$'
check sio-ended "the string I/O VM did not finish" \
    expect_line_all "$log" '^result vm=sio ' 'end=debug-exit' 'status=1 '
check oob-report "the REP INSB beyond RAM was not reported with address and RIP" \
    expect_line "$log" 'vm insoob ended: bad-access: INS on port 0x3fd: its operand at linear 0xc0000000 is not guest RAM \(RIP 0x[0-9a-f]+\)'
check oob-stopped "the REP INSB beyond RAM did not stop the VM" \
    expect_no_line "$log" 'rep insb survived'
check_clean_run "$log" "$T_DIR/run.txt"
finish
