#!/usr/bin/env bash
# Unknown and malformed command-line options: the kernel warns about an
# unknown option, reports a bad value, and still runs to its power off.
# Runs in QEMU TCG (BIOS): option parsing does not need VMX.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

test_init bad-option
iso="$T_DIR/bad-option.iso"
make_test_iso "$iso" --cmdline "bogus=1 loglevel=loud"
log="$T_DIR/qemu-serial.log"
run_logged "$T_DIR/run.txt" "$ROOT/run-qemu.sh" --quiet --iso "$iso" \
    --accel tcg --timeout 60 --workdir "$T_DIR" --log "$log"
echo "  (qemu run: ${RUN_SECONDS} s, status $RUN_STATUS)"

check unknown-option "no warning line containing \"unknown option 'bogus'\"" \
    expect_line "$log" "[Ww]arn.*unknown option 'bogus'"
check bad-value "no error line containing 'loglevel' and then 'loud'" \
    expect_line "$log" '[Ee]rr.*loglevel.*loud'
check_clean_run "$log" "$T_DIR/run.txt"
finish
