#!/usr/bin/env bash
# Issue 4: four misbehaving guests (a read beyond RAM, a triple fault, a
# write to an unknown MSR, a corrupt ELF) are each reported precisely and
# stopped, while two well-behaved VMs in the same run finish normally.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

test_init misbehaving
head -c 3000 "$BUILD/guest/hello.elf" > "$T_DIR/corrupt.elf"
iso="$T_DIR/t.iso"
make_test_iso "$iso" \
    --module "$BUILD/guest/bad.elf='vm:name=oob,cmdline=\"mode=oob-read\"'" \
    --module "$BUILD/guest/bad.elf='vm:name=triple,cmdline=\"mode=triple\"'" \
    --module "$BUILD/guest/bad.elf='vm:name=msr,cmdline=\"mode=msr\"'" \
    --module "$T_DIR/corrupt.elf=vm:name=corrupt" \
    --module "$BUILD/guest/hello.elf='vm:name=good1,cmdline=\"name=good1\"'" \
    --module "$BUILD/guest/hello.elf='vm:name=good2,cmdline=\"name=good2 exit=7\"'"
boot_bochs "$iso" 2 240
log=$BOCHS_LOG

check oob-report "no report naming the address, RIP and access type" \
    expect_line "$log" 'vm oob ended: bad-access: read of guest-physical 0xc0000000 outside its RAM \(16 MiB\) at RIP 0x[0-9a-f]+ on vcpu 0'
check triple-report "no triple-fault report" \
    expect_line "$log" 'vm triple ended: triple-fault: triple fault on vcpu 0 at RIP 0x[0-9a-f]+'
check msr-gp "the guest did not receive #GP for WRMSR 0x2ff0" \
    expect_line "$log" '^\[msr\] bad: got #GP from wrmsr .*msr 0x2ff0'
check msr-status "msr VM did not end with its #GP status 7" \
    expect_line_all "$log" '^result vm=msr ' 'end=debug-exit' 'status=7 '
check corrupt-report "corrupt ELF not reported" \
    expect_line "$log" 'vm corrupt: not created: not a kernel Tern can load: multiboot v1: no multiboot header in the first 8 KiB'
check corrupt-summary "corrupt VM missing from the summary" \
    expect_line_all "$log" '^result vm=corrupt ' 'state=not-created'
check good1 "good1 did not finish with status 1" \
    expect_line_all "$log" '^result vm=good1 ' 'end=debug-exit' 'status=1 '
check good2 "good2 did not finish with status 15" \
    expect_line_all "$log" '^result vm=good2 ' 'end=debug-exit' 'status=15 '
check six "summary does not list six VMs" expect_line "$log" '^result vms=6$'
check_clean_run "$log" "$T_DIR/run.txt"
finish
