#!/usr/bin/env bash
# Tern and its guests build warning-free with clang (-Werror), and the clang
# build works: it runs the debug-register suite in a VM in Bochs.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

test_init clang-build
bdir="$T_DIR/build"
if command -v clang >/dev/null 2>&1; then
    run_logged "$T_DIR/make.txt" make -C "$ROOT" -j2 CC=clang BUILD="$bdir" all guests
    T_SHOW_RUNOUT="$T_DIR/make.txt"
    check builds "clang build failed (see make.txt)" test "$RUN_STATUS" -eq 0
    check no-warnings "clang printed warnings" expect_no_line "$T_DIR/make.txt" 'warning:'
    iso="$T_DIR/t.iso"
    KERNEL="$bdir/tern.elf" make_test_iso "$iso" \
        --vm "name=dr,kernel=$bdir/guest/drtest.elf,cmdline=\"loops=100\""
    boot_bochs "$iso" 2 240
    log=$BOCHS_LOG
    check drtest "drtest did not pass under the clang-built Tern" \
        expect_line "$log" '^\[dr\] drtest: [0-9]+ passed, 0 failed'
    check_clean_run "$log" "$T_DIR/run.txt"
else
    fail clang "clang is not installed (tools/deps.sh installs it)"
fi
finish
