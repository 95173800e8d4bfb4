#!/usr/bin/env bash
# tests/run-all.sh: THE test command. Runs the host unit tests (make unit,
# cmocka) and the emulator boot tests (tests/boot/NN-name.sh), counts what
# passed and failed, and ends with one line "N passed, N failed".
set -uo pipefail

prog=${0##*/}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${TERN_BUILD_DIR:-$ROOT/build}

usage() {
    cat <<EOF
Usage: tests/$prog [options]

Runs, in order:
  1. host unit tests: "make -C <repo> unit", which builds and runs the cmocka
     binaries under tests/unit. Each binary's "[  PASSED  ] N test(s)." and
     "[  FAILED  ] N test(s)" lines are added up. If make fails with no
     FAILED count (a build error or a crash), that counts as one failure.
  2. boot tests: "make iso" once, then every tests/boot/[0-9]*.sh, up to
     --jobs at a time; their "PASS: ..." and "FAIL: ..." lines are counted.
     A test that exits non-zero without a FAIL line, or exits 0 without a
     PASS line, or exceeds --test-timeout, counts as one failure.

Prints a summary and ends with exactly one line "N passed, N failed".
Exit status 0 iff nothing failed and something passed.

Options:
  --unit-only          only the unit tests
  --boot-only          only the boot tests
  -k PATTERN           only boot tests whose file name matches PATTERN (an
                       extended regex, e.g. -k bochs or -k '^1[12]-')
  -j, --jobs N         boot tests run at once (default: 2; Bochs takes a
                       whole core per run)
  --test-timeout S     limit for one boot test (default: 900)
  --no-build           do not run "make iso" (use the ISO in build/)
  --list               list the selected boot tests and exit
  -h, --help           show this help

Each boot test's output is kept in build/tests/NAME.out and its files in
build/tests/NAME/ (serial logs, emulator logs).
EOF
}

unit=1
boot=1
pattern=""
jobs=2
test_timeout=900
build=1
list=0

while [[ $# -gt 0 ]]; do
    case $1 in
        --unit-only)    boot=0; shift ;;
        --boot-only)    unit=0; shift ;;
        -k)             [[ $# -ge 2 ]] || { echo "$prog: -k needs a pattern" >&2; exit 2; }
                        pattern=$2; shift 2 ;;
        -j|--jobs)      [[ $# -ge 2 && $2 =~ ^[1-9][0-9]*$ ]] || { echo "$prog: $1 needs a positive number" >&2; exit 2; }
                        jobs=$2; shift 2 ;;
        --test-timeout) [[ $# -ge 2 && $2 =~ ^[1-9][0-9]*$ ]] || { echo "$prog: $1 needs a positive number" >&2; exit 2; }
                        test_timeout=$2; shift 2 ;;
        --no-build)     build=0; shift ;;
        --list)         list=1; shift ;;
        -h|--help)      usage; exit 0 ;;
        *)              echo "$prog: unknown argument '$1'" >&2; echo "Try 'tests/$prog --help'." >&2; exit 2 ;;
    esac
done

passed=0
failed=0
failures=()   # one line per failure, for the summary
sections=()   # "name: N passed, N failed" per part

note_fail() { failures+=("$1"); }  # the caller counts it

# --- boot test selection ---------------------------------------------------
boot_tests=()
if [[ $boot -eq 1 ]]; then
    for t in "$ROOT"/tests/boot/[0-9]*.sh; do
        [[ -e $t ]] || continue
        name=$(basename "$t" .sh)
        if [[ -n $pattern ]] && ! grep -qE -- "$pattern" <<<"$name"; then continue; fi
        boot_tests+=("$t")
    done
fi
if [[ $list -eq 1 ]]; then
    for t in "${boot_tests[@]}"; do basename "$t" .sh; done
    exit 0
fi

start_all=$SECONDS

# --- unit tests ------------------------------------------------------------
if [[ $unit -eq 1 ]]; then
    echo "=== unit tests (make unit)"
    mkdir -p "$BUILD"
    unit_out="$BUILD/unit-tests.out"
    make -C "$ROOT" unit </dev/null 2>&1 | tee "$unit_out"
    make_status=${PIPESTATUS[0]}
    # cmocka: "[  PASSED  ] 3 test(s)." and "[  FAILED  ] 1 test(s), listed below:"
    read -r u_pass u_fail < <(LC_ALL=C awk '
        /^\[  PASSED  \] [0-9]+ test\(s\)/ { p += $4 }
        /^\[  FAILED  \] [0-9]+ test\(s\)/ { f += $4 }
        END { print p + 0, f + 0 }' "$unit_out")
    if [[ $u_fail -gt 0 ]]; then
        # The names listed after "[  FAILED  ] N test(s), listed below:".
        while IFS= read -r l; do failures+=("unit: $l"); done < <(LC_ALL=C awk '
            /^\[  FAILED  \] [0-9]+ test\(s\), listed below:/ { list = 1; next }
            list && /^\[  FAILED  \] / { sub(/^\[  FAILED  \] /, ""); print; next }
            { list = 0 }' "$unit_out")
    fi
    if [[ $make_status -ne 0 && $u_fail -eq 0 ]]; then
        note_fail "unit: make unit exited with status $make_status (build error or crash; see $unit_out)"
        u_fail=$((u_fail + 1))
    elif [[ $make_status -eq 0 && $u_pass -eq 0 && $u_fail -eq 0 ]]; then
        note_fail "unit: make unit ran no cmocka test"
        u_fail=$((u_fail + 1))
    fi
    passed=$((passed + u_pass))
    failed=$((failed + u_fail))
    sections+=("unit: $u_pass passed, $u_fail failed")
    echo
fi

# --- boot tests ------------------------------------------------------------
if [[ $boot -eq 1 ]]; then
    b_pass=0
    b_fail=0
    built=1
    if [[ ${#boot_tests[@]} -eq 0 ]]; then
        echo "=== boot tests: none selected${pattern:+ by -k \"$pattern\"}"
    elif [[ $build -eq 1 ]]; then
        echo "=== make iso"
        mkdir -p "$BUILD"
        if ! make -C "$ROOT" iso </dev/null >"$BUILD/make-iso.out" 2>&1; then
            tail -n 30 "$BUILD/make-iso.out"
            note_fail "boot: make iso failed (see $BUILD/make-iso.out)"
            b_fail=$((b_fail + 1))
            built=0
        fi
    fi

    if [[ ${#boot_tests[@]} -gt 0 && $built -eq 1 ]]; then
        echo "=== boot tests (${#boot_tests[@]}, $jobs at a time)"
        mkdir -p "$BUILD/tests"
        export TERN_NO_BUILD=1
        declare -A pid_test=()
        declare -A test_start=()
        # timeout(1) puts each test in its own process group, so a ^C here
        # would not reach the emulators: pass it on.
        # shellcheck disable=SC2317  # called from the trap
        stop_tests() {
            local p
            echo "$prog: interrupted; stopping ${#pid_test[@]} running test(s)" >&2
            for p in "${!pid_test[@]}"; do kill -INT "$p" 2>/dev/null || true; done
            wait
            exit 130
        }
        trap stop_tests INT TERM

        # report TEST STATUS: print a finished test's output and count it.
        report() {
            local t=$1 st=$2 name out p f secs
            name=$(basename "$t" .sh)
            out="$BUILD/tests/$name.out"
            secs=$((SECONDS - test_start[$t]))
            echo "--- $name (${secs} s, exit $st)"
            cat "$out"
            p=$(grep -c '^PASS: ' "$out" || true)
            f=$(grep -c '^FAIL: ' "$out" || true)
            b_pass=$((b_pass + p))
            b_fail=$((b_fail + f))
            while IFS= read -r l; do failures+=("$name: ${l#FAIL: }"); done < <(grep '^FAIL: ' "$out")
            if [[ $st -eq 124 || $st -eq 137 ]]; then
                note_fail "$name: killed after --test-timeout $test_timeout s"
                b_fail=$((b_fail + 1))
            elif [[ $st -ne 0 && $f -eq 0 ]]; then
                note_fail "$name: exited with status $st without a FAIL line"
                b_fail=$((b_fail + 1))
            elif [[ $st -eq 0 && $p -eq 0 ]]; then
                note_fail "$name: exited 0 without a PASS line"
                b_fail=$((b_fail + 1))
            fi
        }

        running=0
        for t in "${boot_tests[@]}"; do
            while [[ $running -ge $jobs ]]; do
                st=0
                wait -n -p done_pid || st=$?
                report "${pid_test[$done_pid]}" "$st"
                unset "pid_test[$done_pid]"
                running=$((running - 1))
            done
            name=$(basename "$t" .sh)
            test_start[$t]=$SECONDS
            timeout -k 10 "$test_timeout" "$t" </dev/null >"$BUILD/tests/$name.out" 2>&1 &
            pid_test[$!]=$t
            running=$((running + 1))
        done
        while [[ $running -gt 0 ]]; do
            st=0
            wait -n -p done_pid || st=$?
            report "${pid_test[$done_pid]}" "$st"
            unset "pid_test[$done_pid]"
            running=$((running - 1))
        done
    fi
    passed=$((passed + b_pass))
    failed=$((failed + b_fail))
    sections+=("boot: $b_pass passed, $b_fail failed")
    echo
fi

# --- summary ---------------------------------------------------------------
echo "=== summary ($((SECONDS - start_all)) s)"
for s in "${sections[@]}"; do echo "  $s"; done
if [[ ${#failures[@]} -gt 0 ]]; then
    echo "failures:"
    for f in "${failures[@]}"; do echo "  $f"; done
fi
echo "$passed passed, $failed failed"
[[ $failed -eq 0 && $passed -gt 0 ]]
