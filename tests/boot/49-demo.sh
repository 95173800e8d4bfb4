#!/usr/bin/env bash
# The default ISO entry (what ./run.sh shows): five VMs on two CPUs, one of
# them exercising its debug registers, one with a breakpoint Tern's
# debugger owns (break=), a hypervisor watchpoint armed, and an end-of-run
# summary with per-VM results and debug-register counters.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

test_init demo
boot_bochs "$ISO" 2 300
log=$BOCHS_LOG
check banner "no banner" expect_line "$log" '^Tern [^ ]+ - x86-64 microhypervisor'
check drtest "drtest did not pass" expect_line "$log" '^\[drtest\] drtest: [0-9]+ passed, 0 failed'
check watch "the watchpoint did not report a hit" expect_line "$log" 'watchpoint 0 hit: '
check break "the traced VM's breakpoint was not hit 200 times" \
    expect_line "$log" '^result vm=traced break=0 type=execute addr=0x[0-9a-f]+ len=1 hits=200$'
check own-drs "the traced VM did not keep its own debug registers" \
    expect_line "$log" '^\[traced\] hello: own debug registers ok$'
for vm in drtest hello-a hello-b bad-msr traced; do
    check "result-$vm" "no ended result line for $vm" \
        expect_line_all "$log" "^result vm=$vm " 'state=ended' 'end=debug-exit'
done
check counters "no debug-register counters" expect_line "$log" '^result cpu=0 dr_reads=[0-9]+ dr_writes=[0-9]+'
check_clean_run "$log" "$T_DIR/run.txt"
finish
