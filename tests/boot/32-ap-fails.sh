#!/usr/bin/env bash
# Issue 3: a CPU that fails to start is reported, and Tern goes on with the
# others. selftest=ap-fail sends no SIPI to cpu1 of four, as if it were
# dead: Tern must name it, turn VMX on on the other three, run guests on
# them (including one pinned to cpu3, past the hole), refuse to run a VM
# pinned only to the dead CPU with a clear reason, and finish the run.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

test_init ap-fails
iso="$T_DIR/t.iso"
make_test_iso "$iso" --cmdline "selftest=ap-fail" \
    --module "$BUILD/guest/hello.elf='vm:name=any,cmdline=\"name=any exit=2\"'" \
    --module "$BUILD/guest/hello.elf='vm:name=on3,pin=3,cmdline=\"name=on3 exit=3\"'" \
    --module "$BUILD/guest/hello.elf='vm:name=on1,pin=1,cmdline=\"name=on1 exit=4\"'"
boot_bochs "$iso" 4 240
log=$BOCHS_LOG

check reported "the dead CPU was not reported by number, APIC id and reason" \
    expect_line "$log" 'cpu1 \(APIC id 1\) did not start \(no response to INIT-SIPI-SIPI\); continuing without it'
check three-online "Tern did not go on with three CPUs" expect_line "$log" 'cpus: 3 online'
for i in 0 2 3; do
    check "vmx-on-cpu$i" "cpu$i did not report VMX on" expect_line "$log" "^\[cpu$i\] VMX on$"
done
check no-cpu1 "something ran on the dead cpu1" expect_no_line "$log" '^\[cpu1\]'
check vmx-all "no 'VMX is on on all 3 CPUs'" expect_line "$log" 'VMX is on on all 3 CPUs'
check any-ran "the unpinned VM did not finish" \
    expect_line_all "$log" '^result vm=any ' 'end=debug-exit' 'status=5 '
check on3-ran "the VM pinned to cpu3 did not finish there" \
    expect_line "$log" '^\[cpu3\] vm on3 ended: debug exit: wrote .* \(status 0x7\)'
check on1-refused "the VM pinned to the dead CPU was not refused with a reason" \
    expect_line "$log" 'on1.*pin= set names no online CPU'
check all-three "the summary does not list all three VMs" expect_line "$log" '^result vms=3$'
check_clean_run "$log" "$T_DIR/run.txt"
finish
