#!/usr/bin/env bash
# 20-guests-bare-qemu.sh: run each guest kernel directly under QEMU TCG
# (no Tern), the way a multiboot loader would start it under Tern:
#   qemu -kernel build/guest/X.elf -append "..." with isa-debug-exit at 0xF4,
# so a guest_exit(code) ends QEMU with status (code << 1) | 1.
# This checks the guests themselves before they are used to test Tern.
#
# Known QEMU 7.2 TCG gaps (measured; see the notes printed):
#  - WRMSR to an unknown MSR is silently ignored (no #GP), so bad's #GP
#    path is exercised with IA32_PKRS (0x6e1) and reserved bits 63:32 set;
#  - DR7.GD is not implemented (helper_get_dr/helper_set_dr never raise
#    the general-detect #DB), so drtest runs with skip=gd-read,gd-write.
#    I/O breakpoints ARE implemented (helper_bpt_io): io-bp runs.
#
# Env: NO_BUILD=1 to skip `make guests`. Logs: build/tests/20-guests-bare-qemu/.
# Prints PASS:/FAIL: lines (one per assertion group); exit 0 if all pass.
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
qemu=${QEMU:-qemu-system-x86_64}
logdir="$repo/build/tests/20-guests-bare-qemu"
status=0

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; status=1; }
note() { echo "NOTE: $*"; }

command -v "$qemu" >/dev/null 2>&1 || { echo "FAIL: $qemu not installed"; exit 1; }
if [[ -z ${NO_BUILD:-} ]]; then
    make -C "$repo" -s guests >/dev/null || { echo "FAIL: make guests"; exit 1; }
fi
mkdir -p "$logdir"

# run TAG GUEST APPEND [TIMEOUT]: sets $st (QEMU's exit status) and $log.
run() {
    local tag=$1 guest=$2 append=$3 t=${4:-30}
    log="$logdir/$tag.log"
    rm -f "$log"
    timeout "$t" "$qemu" -accel tcg -m 64 \
        -kernel "$repo/build/guest/$guest.elf" -append "$append" \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
        -serial "file:$log" -display none -nic none -no-reboot \
        -monitor none </dev/null >"$logdir/$tag.qemu.txt" 2>&1
    st=$?
    touch "$log"
}

has() { grep -qaF -- "$1" "$log"; }

# check TAG WANT_STATUS LINE...: the status and every line must match.
check() {
    local tag=$1 want=$2 l
    shift 2
    if [[ $st -ne $want ]]; then
        fail "$tag: QEMU status $st, want $want (log $log)"
        return
    fi
    for l in "$@"; do
        if ! has "$l"; then
            fail "$tag: no line '$l' (log $log)"
            return
        fi
    done
    pass "$tag"
}

# --- hello -------------------------------------------------------------------
run hello-default hello ""
check hello-default 1 "hello from hello" "hello: apic id 0" \
    "hello: mem_lower=" "hello: 100 loops" "hello: done" "guest: exit 0"

run hello-args hello "name=vm-a loops=500 exit=5"
check hello-args 11 "hello from vm-a" "hello: 500 loops" "hello: done" \
    "guest: exit 5"

# The same touch/drcheck output as under Tern with break= (test 44).
run hello-drcheck hello "touch=50 drcheck=1"
check hello-drcheck 1 "hello: touched 50 times, hello_touched=50" \
    "hello: own debug registers ok" "guest: exit 0"

# The same string I/O checks as under Tern (test 43).
run hello-strio hello "strio=1"
check hello-strio 1 "hello: rep outsb to COM1" "hello: string I/O ok" "guest: exit 0"

# --- bad -----------------------------------------------------------------------
run bad-msr-gp bad "mode=msr msr=0x6e1 valhi=0x100"
check bad-msr-gp 7 "bad: got #GP from wrmsr" "guest: exit 3"

run bad-msr-default bad "mode=msr"
if [[ $st -eq 7 ]] && has "bad: got #GP from wrmsr"; then
    pass "bad-msr-default: #GP from WRMSR 0x2ff0"
elif [[ $st -eq 9 ]] && has "bad: wrmsr did not fault"; then
    pass "bad-msr-default: reports 'wrmsr did not fault', exit 4"
    note "QEMU TCG ignores WRMSR to unknown MSR 0x2ff0 (no #GP); Tern must raise #GP"
else
    fail "bad-msr-default: status $st (log $log)"
fi

run bad-triple bad "mode=triple"
if [[ $st -eq 0 ]] && has "bad: triple fault next" && ! has "guest: exit"; then
    pass "bad-triple: machine shut down (QEMU -no-reboot, status 0)"
else
    fail "bad-triple: status $st (log $log)"
fi

run bad-oob bad "mode=oob-read"
check bad-oob 5 "bad: reading 0xc0000000" "bad: oob read returned" "guest: exit 2"

run bad-ins-oob bad "mode=ins-oob"
check bad-ins-oob 5 "bad: rep insb to 0xc0000000" "bad: rep insb survived (ecx=0)" "guest: exit 2"

run bad-loop bad "mode=loop" 3
check bad-loop 124 "bad: spinning forever"

run bad-usage bad ""
check bad-usage 19 "bad: usage:" "guest: exit 9"

# --- drtest --------------------------------------------------------------------
# count_lines WORD: drtest lines with that verdict.
count_lines() { grep -acE "^drtest: $1 " "$log"; }

run drtest drtest "skip=gd-read,gd-write loops=5000 seed=5"
summary=$(grep -aE '^drtest: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
if [[ $st -eq 1 && $summary =~ ^drtest:\ ([0-9]+)\ passed,\ 0\ failed$ &&
      $(count_lines PASS) -eq ${BASH_REMATCH[1]} ]] &&
   has "drtest: PASS dr-loop: 5000 iterations, seed 5" &&
   has "drtest: PASS io-bp"; then
    pass "drtest: ${summary#drtest: } (skip=gd-read,gd-write)"
else
    fail "drtest: status $st, '${summary:-no summary}' (log $log)"
    grep -aE '^drtest: FAIL ' "$log" | sed 's/^/  /'
fi

# The full suite: the only failures allowed are the known DR7.GD gap.
run drtest-full drtest ""
fails=$(grep -aE '^drtest: FAIL ' "$log" | awk '{print $3}' | tr -d ':' | sort | paste -sd' ')
if grep -qaE '^drtest: [0-9]+ passed, [0-9]+ failed' "$log" &&
   [[ -z $fails || $fails == "gd-read gd-write" ]]; then
    pass "drtest-full: failures limited to the known gap: ${fails:-none}"
    [[ -z $fails ]] || note "QEMU TCG does not implement DR7.GD (general detect): $fails"
else
    fail "drtest-full: unexpected failures: ${fails:-no summary} (log $log)"
fi

exit $status
