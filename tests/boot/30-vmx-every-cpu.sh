#!/usr/bin/env bash
# Issue 3: in Bochs with 4 CPUs, every CPU turns VMX on, and a guest pinned
# to each CPU runs and ends with its own status.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

test_init vmx-every-cpu
iso="$T_DIR/t.iso"
args=()
for i in 0 1 2 3; do
    args+=(--module "$BUILD/guest/hello.elf='vm:name=h$i,pin=$i,cmdline=\"name=h$i exit=$i\"'")
done
make_test_iso "$iso" "${args[@]}"
boot_bochs "$iso" 4 240
log=$BOCHS_LOG

for i in 0 1 2 3; do
    check "vmx-on-cpu$i" "cpu$i did not report VMX on" expect_line "$log" "^\[cpu$i\] VMX on$"
    check "guest-h$i" "guest h$i did not run" expect_line "$log" "^\[h$i\] hello from h$i$"
    # The guest ran on the CPU it was pinned to: its exits were handled there.
    check "pinned-h$i" "vm h$i did not end on cpu$i" \
        expect_line "$log" "^\[cpu$i\] vm h$i ended: debug exit: wrote .* \(status $(printf '%#x' $((i * 2 + 1)))\)"
    check "result-h$i" "no result line for h$i with status $((i * 2 + 1))" \
        expect_line_all "$log" "^result vm=h$i " "end=debug-exit" "status=$((i * 2 + 1)) "
done
check all-four "summary does not list 4 VMs" expect_line "$log" '^result vms=4$'
check_clean_run "$log" "$T_DIR/run.txt"
finish
