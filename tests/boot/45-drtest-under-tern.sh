#!/usr/bin/env bash
# Issue 6: the debug-register test suite (guest/drtest: round trips,
# breakpoints and watchpoints with the right DR6, single-step, DR4/DR5
# aliasing, GD, I/O breakpoints, CPL 3 #GP, reset values) passes under Tern
# in Bochs, and every check gives the same verdict and the same DR6/DR7
# values as on bare Bochs (tests/boot/21 boots the same guest without Tern).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

test_init drtest-under-tern
args="loops=300 seed=3"
iso="$T_DIR/t.iso"
make_test_iso "$iso" --vm "name=dr,kernel=$BUILD/guest/drtest.elf,cmdline=\"$args\""
boot_bochs "$iso" 1 240
log=$BOCHS_LOG
check all-pass "drtest did not pass every check under Tern" \
    expect_line "$log" '^\[dr\] drtest: [0-9]+ passed, 0 failed'
check no-fail "a drtest check failed under Tern" expect_no_line "$log" 'drtest: FAIL'

# The same guest on bare Bochs, with the same command line.
bare="$T_DIR/bare.txt"
NO_BUILD=1 KEEP= "$ROOT/tests/boot/21-drtest-bare-bochs.sh" "$args" >"$bare" 2>&1
sed -n 's/^  drtest: \(PASS\|FAIL\|SKIP\) /\1 /p' "$bare" | sort >"$T_DIR/bare.verdicts"
clean_log "$log" | sed -n 's/^\[dr\] drtest: \(PASS\|FAIL\|SKIP\) /\1 /p' | sort >"$T_DIR/tern.verdicts"
same_results() {
    [[ -s $T_DIR/bare.verdicts ]] && diff -u "$T_DIR/bare.verdicts" "$T_DIR/tern.verdicts"
}
check same-as-bare "verdicts or DR values differ from bare Bochs" same_results
check_clean_run "$log" "$T_DIR/run.txt"
finish
