#!/usr/bin/env bash
# Issue 6: Bochs debug-register tracing. tools/dr-trace.sh runs two
# DR-using VMs and a plain one on one CPU with a hypervisor watchpoint,
# records the real DR0-DR7 at every scheduler pass, VM entry and VM exit,
# and tools/dr-trace-check must find no violation of the contract. The
# checker itself must catch violations: it is fed traces edited to contain
# a stale guest DR6 at the scheduler, another vCPU's DR0 at entry, and a
# lost host watchpoint, and it must fail on a deliberately broken build
# (make BREAK=skip-dr6-reset) traced without hypervisor watchpoints, where
# the exit path leaves the guest's DR6 bits behind. The same run on the
# correct build is clean.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

test_init dr-trace
out="$T_DIR/trace"
run_logged "$T_DIR/run.txt" "$ROOT/tools/dr-trace.sh" --out "$out" --timeout 300
echo "  (trace run: ${RUN_SECONDS} s)"
T_SHOW_RUNOUT="$T_DIR/run.txt"
check trace-clean "the checker reported violations or saw no trace points" \
    expect_line "$T_DIR/run.txt" '^dr-trace-check: 0 violations: OK'
check trace-entries "no entry with guest debug state loaded was checked" \
    expect_line "$T_DIR/run.txt" 'checks, [1-9][0-9]* entries with guest debug state loaded'
check run-ended "the traced run did not reach power off" expect_line "$out/serial.log" 'tern: power off'

dbg="$out/debugger.log"
# Make bad traces from the good one and expect the checker to reject them.
bad_trace() {  # NAME AWK-PROGRAM EXPECTED-RULE
    awk "$2" "$dbg" >"$T_DIR/$1.log"
    "$ROOT/tools/dr-trace-check" --quiet "$T_DIR/$1.log" >"$T_DIR/$1.out" 2>&1
    local st=$?
    [[ $st -ne 0 ]] && grep -q "VIOLATION: $3" "$T_DIR/$1.out"
}
# 1. The first scheduler point shows a guest's DR6 bits (B0 set).
check catches-dr6 "a dirty DR6 at the scheduler went unnoticed" bad_trace dr6 '
    /^rcx: 00000000_00000001/ { sched = 1 }
    /^DR6=/ && sched && !done { sub(/0xffff0ff0/, "0xffff0ff1"); done = 1 }
    /^DR7=/ { sched = 0 } { print }' sched-dr6
# 2. At an entry with guest state loaded, DR0 holds another value.
check catches-crossing "a foreign DR0 at VM entry went unnoticed" bad_trace cross '
    /^rcx: 00000000_00000002/ { entry = 1 }
    /^rdi: 00000000_0000000[13579bdf]/ && entry { loaded = 1 }
    /^DR0=/ && entry && loaded && !done { sub(/=0x[0-9a-f]+/, "=0x00000000deadbee0"); done = 1 }
    /^DR7=/ { entry = 0; loaded = 0 } { print }' entry-own
# 3. The host watchpoint address is gone at a scheduler point.
check catches-host "a lost host watchpoint went unnoticed" bad_trace host '
    /^rcx: 00000000_00000001/ { sched = 1 }
    /^DR0=/ && sched && !done { sub(/=0x[0-9a-f]+/, "=0x0000000000000000"); done = 1 }
    /^DR7=/ { sched = 0 } { print }' sched-host

# Rule 8: a VM whose breakpoints Tern's debugger owns (break=), next to a
# drtest VM, with the hypervisor watchpoint armed.
hello="$ROOT/build/guest/hello.elf"
fn=$("$ROOT/tools/symaddr" "$hello" hello_touch)
var=$("$ROOT/tools/symaddr" "$hello" hello_touched)
run_logged "$T_DIR/debugger.txt" "$ROOT/tools/dr-trace.sh" --out "$T_DIR/debugger" \
    --timeout 300 -- \
    --vm "name=traced,kernel=$hello,break=x:$fn,break=w:$var/4,cmdline=\"loops=20 touch=50 drcheck=1\"" \
    --vm "name=drt,kernel=$ROOT/build/guest/drtest.elf,cmdline=\"loops=20\""
check debugger-clean "the trace with a debugger-owned vCPU has violations" \
    expect_line "$T_DIR/debugger.txt" '^dr-trace-check: 0 violations: OK'
check debugger-seen "no entry of a debugger-owned vCPU was checked" \
    expect_line "$T_DIR/debugger.txt" ', [1-9][0-9]* of debugger-owned vCPUs'
# 4. A debugger-owned vCPU enters with a wrong address in an enabled slot.
dbg="$T_DIR/debugger/debugger.log"
check catches-debugger "a wrong debugger breakpoint at entry went unnoticed" bad_trace dbgslot '
    /^rcx: 00000000_00000002/ { entry = 1 }
    /^rdi: 00000000_0000001[0-9a-f]/ && entry { owned = 1 }
    /^DR0=/ && entry && owned && !done { sub(/=0x[0-9a-f]+/, "=0x0000000000000bad"); done = 1 }
    /^DR7=/ { entry = 0; owned = 0 } { print }' entry-debugger

# The no-watchpoint path (guest state loaded, nothing armed), correct build,
# with a guest that keeps DR6 dirty across several time slices while another
# computes beside it (so each slice ends in the scheduler).
G="$ROOT/build/guest"
dirty_vms=(--vm "name=dr1,kernel=$G/drtest.elf,cmdline=\"loops=20 seed=1\""
           --vm "name=dirty,kernel=$G/hello.elf,cmdline=\"loops=5 dr6dirty=6000000\""
           --vm "name=spin,kernel=$G/hello.elf,cmdline=\"loops=5 spin=8000000\"")
run_logged "$T_DIR/nowatch.txt" "$ROOT/tools/dr-trace.sh" --cmdline "" \
    --out "$T_DIR/nowatch" --timeout 300 -- "${dirty_vms[@]}"
check nowatch-clean "the trace without hypervisor watchpoints has violations" \
    expect_line "$T_DIR/nowatch.txt" '^dr-trace-check: 0 violations: OK'
check nowatch-dirty "the guest did not keep DR6 dirty" \
    expect_line "$T_DIR/nowatch/serial.log" '^\[dirty\] hello: DR6 left dirty for 6000000 ticks'

# The same run on a build whose exit path skips the DR6 reset.
broken="$T_DIR/broken-build"
run_logged "$T_DIR/broken-make.txt" make -C "$ROOT" -s -j2 BUILD="$broken" \
    BREAK=skip-dr6-reset "$broken/tern.elf"
check broken-builds "the BREAK=skip-dr6-reset build failed (see broken-make.txt)" \
    test "$RUN_STATUS" -eq 0
run_logged "$T_DIR/broken.txt" "$ROOT/tools/dr-trace.sh" --kernel "$broken/tern.elf" \
    --cmdline "" --out "$T_DIR/broken" --timeout 300 -- "${dirty_vms[@]}"
check broken-says-so "the broken build does not say it is broken" \
    expect_line "$T_DIR/broken/serial.log" 'DELIBERATELY BROKEN BUILD'
check broken-caught "the checker passed a build that skips the DR6 reset" \
    test "$RUN_STATUS" -ne 0
check broken-named "the checker did not name the stale DR6 at the scheduler" \
    expect_line "$T_DIR/broken.txt" '^VIOLATION: sched-dr6 .*not clean'
finish
