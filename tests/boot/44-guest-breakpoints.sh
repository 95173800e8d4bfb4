#!/usr/bin/env bash
# Issue 6, contract rule 8: breakpoints Tern places inside a guest (the VM's
# break= option) go through the same debug-register machinery. A hello VM
# gets an execute breakpoint on hello_touch() and a write watchpoint on
# hello_touched; it calls hello_touch() 50 times. Every hit must be counted
# (50 executions; 51 writes: the guest's own BSS clearing writes the
# variable once), execution must resume past an instruction breakpoint
# (hello_touched ends at 50), and the guest must still read back its own
# DR0-DR3/DR7 (drcheck). A drtest VM time-slicing on the same CPU must pass
# all its checks: the debugger's registers never leak into it.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

test_init guest-breakpoints
elf="$BUILD/guest/hello.elf"
touch_fn=$("$ROOT/tools/symaddr" "$elf" hello_touch)
touched=$("$ROOT/tools/symaddr" "$elf" hello_touched)
if [[ -z $touch_fn || -z $touched ]]; then
    fail symbols "hello_touch/hello_touched not found in $elf"
    finish
fi
iso="$T_DIR/t.iso"
make_test_iso "$iso" \
    --module "$elf='vm:name=traced,break=x:$touch_fn,break=w:$touched/4,cmdline=\"name=traced loops=20 touch=50 drcheck=1\"'" \
    --module "$BUILD/guest/drtest.elf='vm:name=drt,cmdline=\"loops=40\"'"
boot_bochs "$iso" 1 240
log=$BOCHS_LOG
echo "  (hello_touch=$touch_fn hello_touched=$touched)"

check set "the breakpoints were not announced" \
    expect_line "$log" "vm traced: break 0: execute at $touch_fn, 1 byte$"
check set-w "the watchpoint was not announced" \
    expect_line "$log" "vm traced: break 1: write at $touched, 4 bytes$"
check hit-x "no execute hit reported at the breakpoint's own RIP" \
    expect_line "$log" "vm traced vcpu 0: break 0 \(x $touch_fn\) hit at RIP $touch_fn"
check hit-w "no write hit reported" \
    expect_line "$log" "vm traced vcpu 0: break 1 \(w $touched\) hit at RIP 0x[0-9a-f]+"
check resumed "the guest did not run on past its breakpoints" \
    expect_line "$log" '^\[traced\] hello: touched 50 times, hello_touched=50$'
check own-drs "the guest did not read back its own debug registers" \
    expect_line "$log" '^\[traced\] hello: own debug registers ok$'
check count-x "execute hits not counted as 50" \
    expect_line "$log" "^result vm=traced break=0 type=execute addr=$touch_fn len=1 hits=50$"
check count-w "write hits not counted as 51" \
    expect_line "$log" "^result vm=traced break=1 type=write addr=$touched len=4 hits=51$"
check traced-ended "the traced VM did not end normally" \
    expect_line_all "$log" '^result vm=traced ' 'end=debug-exit' 'status=1 '
check drtest "drtest beside it did not pass all its checks" \
    expect_line "$log" '^\[drt\] drtest: 20 passed, 0 failed$'
check_clean_run "$log" "$T_DIR/run.txt"
finish
