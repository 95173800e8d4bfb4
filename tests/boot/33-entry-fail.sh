#!/usr/bin/env bash
# Issue 3: a failed VM entry dumps the guest state and names the check that
# failed, and stops only that VM. selftest=entry-fail gives the first VM a
# CS that is not present; Tern's own re-run of the SDM 27.3.1 checks must
# name it, Bochs's log must agree on the cause, and the second VM in the
# run must finish normally.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

test_init entry-fail
iso="$T_DIR/t.iso"
make_test_iso "$iso" --cmdline "selftest=entry-fail" \
    --module "$BUILD/guest/hello.elf='vm:name=broken,cmdline=\"name=broken\"'" \
    --module "$BUILD/guest/hello.elf='vm:name=good,cmdline=\"name=good exit=3\"'"
boot_bochs "$iso" 2 240
log=$BOCHS_LOG

check named "the failed check was not named" expect_line "$log" \
    'vm broken vcpu 0 stopped: VM entry failed: CS access rights: P \(bit 7\) must be 1 \(exit reason 0x80000021'
check dump "no guest-state dump showing the not-present CS" \
    expect_line_all "$log" '^    CS.limit ' 'CS.ar +0xc01b'
check dump-whole "the dump did not reach the registers" \
    expect_line "$log" '^    RAX=0x2badb002 RBX=0x[0-9a-f]+'
check bochs-agrees "Bochs's log does not give the same cause" \
    expect_line "$T_DIR/bochs.log" 'VMENTER FAIL: VMCS guest CS not present'
check broken-summary "the summary does not record the failed entry" \
    expect_line_all "$log" '^result vm=broken ' 'end=entry-failed'
check good-ran "the other VM did not finish" \
    expect_line_all "$log" '^result vm=good ' 'end=debug-exit' 'status=7 '
check both "the summary does not list both VMs" expect_line "$log" '^result vms=2$'
check_clean_run "$log" "$T_DIR/run.txt"
finish
