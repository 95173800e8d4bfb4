# tests/boot/lib.sh: helpers for the emulator boot tests. Source it:
#
#   . "$(dirname "$0")/lib.sh"
#   test_init bochs-boot              # name prefix, work dir, ISO build
#   boot_bochs "$ISO" 2 120           # 2 CPUs, 120 s; COM1 in $BOCHS_LOG
#   check banner "no line ^Tern [0-9]" expect_line "$BOCHS_LOG" '^Tern [0-9]'
#   finish
#
# Convention: each test is an executable tests/boot/NN-name.sh that prints
# one line per assertion group, "PASS: name" or "FAIL: name: reason", and
# exits 0 if all passed, 1 otherwise. Anything else it prints (log excerpts)
# is for people; tests/run-all.sh counts only the PASS/FAIL lines.
#
# Logs are matched after removing ANSI escape sequences and CRs (GRUB and
# OVMF write both to the serial port), with extended regexes (grep -E).
#
# Environment:
#   TERN_NO_BUILD=1   do not run "make iso" (tests/run-all.sh builds once)
#   TERN_BUILD_DIR    build directory (default: $ROOT/build)

# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${TERN_BUILD_DIR:-$ROOT/build}
ISO="$BUILD/tern.iso"
KERNEL="$BUILD/tern.elf"
T_NAME=""
T_DIR=""
T_FAILED=0
T_PASSED=0

# --- reporting -------------------------------------------------------------
pass() {  # NAME
    echo "PASS: ${T_NAME:+$T_NAME/}$1"
    T_PASSED=$((T_PASSED + 1))
}

fail() {  # NAME REASON
    echo "FAIL: ${T_NAME:+$T_NAME/}$1: $2"
    T_FAILED=$((T_FAILED + 1))
}

# check NAME REASON CMD [ARGS...]: PASS if CMD succeeds, else FAIL with REASON.
check() {
    local name=$1 reason=$2
    shift 2
    if "$@"; then pass "$name"; else fail "$name" "$reason"; fi
}

# finish: exit 0 if every assertion passed (and there was one), else 1.
# On failure, shows the logs named in T_SHOW_LOG / T_SHOW_RUNOUT (set by
# check_clean_run, or by the test itself).
T_SHOW_LOG=""
T_SHOW_RUNOUT=""
finish() {
    if [[ $T_FAILED -eq 0 && $T_PASSED -gt 0 ]]; then exit 0; fi
    [[ $T_PASSED -gt 0 || $T_FAILED -gt 0 ]] || fail setup "no assertion was made"
    [[ -z $T_SHOW_LOG ]] || show_log "$T_SHOW_LOG"
    if [[ -n $T_SHOW_RUNOUT ]]; then
        echo "  --- runner output ($T_SHOW_RUNOUT):"
        sed 's/^/  | /' "$T_SHOW_RUNOUT"
    fi
    exit 1
}

# --- logs ------------------------------------------------------------------
# clean_log FILE: the log without ANSI escape sequences and CRs.
clean_log() {
    LC_ALL=C sed -e 's/\x1b\[[0-9;?=]*[A-Za-z]//g' -e 's/\x1b[()][A-Z0-9]//g' \
        -e 's/\r//g' "$1"
}

# (No "grep -q" after a pipe: it may exit early and, with pipefail, the
# writer's SIGPIPE would turn a match into a failure.)

# expect_line FILE REGEX: some line of FILE matches REGEX.
expect_line() {
    [[ -f $1 ]] && clean_log "$1" | grep -aE -- "$2" >/dev/null
}

# expect_no_line FILE REGEX: no line of FILE matches REGEX (and FILE exists).
expect_no_line() {
    [[ -f $1 ]] && ! clean_log "$1" | grep -aE -- "$2" >/dev/null
}

# expect_line_all FILE REGEX...: one single line matches every REGEX.
expect_line_all() {
    local file=$1 re
    shift
    [[ -f $file ]] || return 1
    local lines
    lines=$(clean_log "$file")
    for re in "$@"; do
        lines=$(grep -aE -- "$re" <<<"$lines") || return 1
    done
}

# count_lines FILE REGEX: print how many lines match.
count_lines() {
    [[ -f $1 ]] || { echo 0; return; }
    clean_log "$1" | grep -caE -- "$2" || true
}

# expect_order FILE REGEX1 REGEX2: a line matching REGEX1 comes before one
# matching REGEX2.
expect_order() {
    [[ -f $1 ]] || return 1
    clean_log "$1" | awk -v a="$2" -v b="$3" '
        !seen && $0 ~ a { seen = 1; next }
        seen && $0 ~ b { found = 1 }
        END { exit !found }'   # no early exit: sed would die of SIGPIPE
}

# show_log FILE [N]: print the last N (default 40) cleaned lines, indented,
# so that a failure can be understood from the test output alone.
show_log() {
    local n=${2:-40}
    echo "  --- last $n lines of $1:"
    if [[ -f $1 ]]; then clean_log "$1" | tail -n "$n" | sed 's/^/  | /'; else echo "  | (missing)"; fi
}

# --- setup and running ----------------------------------------------------
# test_init NAME: set T_NAME (the prefix of PASS/FAIL names), make an empty
# work dir T_DIR = build/tests/<script name without .sh>, and make sure the
# ISO is built (unless TERN_NO_BUILD=1).
test_init() {
    T_NAME=$1
    T_DIR="$BUILD/tests/$(basename "$0" .sh)"
    rm -rf "$T_DIR"
    mkdir -p "$T_DIR"
    if [[ ${TERN_NO_BUILD:-0} != 1 ]]; then
        if ! make -C "$ROOT" iso >"$T_DIR/make.txt" 2>&1; then
            fail build "make iso failed"
            tail -n 20 "$T_DIR/make.txt" | sed 's/^/  | /'
            finish
        fi
    fi
    if [[ ! -f $ISO ]]; then
        fail build "$ISO missing"
        finish
    fi
}

# make_test_iso OUT [mkiso args...]: an ISO of build/tern.elf with other
# GRUB settings (command line, modules); FAILs and exits on error.
make_test_iso() {
    local out=$1
    shift
    if ! "$ROOT/tools/mkiso" -q -o "$out" --kernel "$KERNEL" "$@" >"$out.txt" 2>&1; then
        fail mkiso "tools/mkiso failed"
        sed 's/^/  | /' "$out.txt"
        finish
    fi
}

# now: wall-clock seconds with microseconds (bash 5 EPOCHREALTIME).
now() { echo "${EPOCHREALTIME/,/.}"; }

# seconds_since START: elapsed seconds since START (from now), as "N.NN".
seconds_since() {
    awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'
}

# le A B: A <= B for decimal numbers.
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }

# run_logged OUT CMD [ARGS...]: run CMD with stdout+stderr in OUT, stdin
# from /dev/null; set RUN_STATUS and RUN_SECONDS (wall time).
RUN_STATUS=0
RUN_SECONDS=0
run_logged() {
    local out=$1 start
    shift
    start=$(now)
    RUN_STATUS=0
    "$@" </dev/null >"$out" 2>&1 || RUN_STATUS=$?
    RUN_SECONDS=$(seconds_since "$start")
}

# boot_bochs [--run NAME] [--log FILE] ISO CPUS TIMEOUT [ARGS...]: boot ISO
# headless in Bochs with run-bochs.sh --quiet, CPUS CPUs and a limit of
# TIMEOUT s wall time; ARGS go on to run-bochs.sh (e.g. --model NAME). Work
# dir T_DIR, the runner's output in T_DIR/run.txt, COM1 in T_DIR/serial.log
# (--log: in FILE). A test that boots more than once names each run: --run
# NAME uses T_DIR/NAME.txt, T_DIR/NAME.log and work dir T_DIR/NAME. Sets
# BOCHS_LOG (the serial log), RUN_STATUS and RUN_SECONDS (as run_logged
# does), and prints "(bochs run: N s, status S)" ("NAME run" with --run).
BOCHS_LOG=""
boot_bochs() {
    local name="" serial=""
    while :; do
        case ${1-} in
            --run) name=$2; shift 2 ;;
            --log) serial=$2; shift 2 ;;
            *) break ;;
        esac
    done
    local iso=$1 cpus=$2 timeout_s=$3
    shift 3
    BOCHS_LOG=${serial:-$T_DIR/${name:-serial}.log}
    run_logged "$T_DIR/${name:-run}.txt" "$ROOT/run-bochs.sh" --quiet --iso "$iso" \
        --cpus "$cpus" --timeout "$timeout_s" --workdir "$T_DIR${name:+/$name}" \
        --log "$BOCHS_LOG" "$@"
    echo "  (${name:-bochs} run: ${RUN_SECONDS} s, status $RUN_STATUS)"
}

# boot_bare_bochs DIR ELF CMDLINE MODEL CPUS IPS TIMEOUT: boot the multiboot
# v1 kernel ELF with command line CMDLINE directly on Bochs, without Tern
# (Bochs CPU model MODEL, CPUS CPUs, IPS instructions per emulated second,
# 64 MB). Bochs cannot load a multiboot kernel itself, so GRUB boots it from
# DIR/<ELF name>.iso (grub-mkrescue; its output in DIR/mkrescue.txt).
# Headless as in run-bochs.sh: term display, rc file "c" + "quit", stdin
# from /dev/null, run in DIR under timeout(1) (SIGINT after TIMEOUT s,
# SIGKILL 5 s later). COM1 goes to DIR/serial.log, Bochs's log to
# DIR/bochs.log, its stdout+stderr to DIR/console.txt. Sets RUN_STATUS
# (124: timed out) and RUN_SECONDS as run_logged does; returns 1 only if
# the ISO could not be made (the caller reports it).
boot_bare_bochs() {
    local dir=$1 elf=$2 cmdline=$3 model=$4 cpus=$5 ips=$6 timeout_s=$7
    local name bios vgabios
    name=$(basename "$elf" .elf)
    mkdir -p "$dir/iso/boot/grub"
    cp "$elf" "$dir/iso/boot/$name.elf"
    cat >"$dir/iso/boot/grub/grub.cfg" <<CFG
set timeout=0
set default=0
menuentry "$name" {
    multiboot /boot/$name.elf $cmdline
    boot
}
CFG
    grub-mkrescue --fonts= --locales= --themes= \
        "--install-modules=normal configfile boot multiboot iso9660 part_msdos" \
        -o "$dir/$name.iso" "$dir/iso" >"$dir/mkrescue.txt" 2>&1 || return 1

    bios=/usr/share/bochs/BIOS-bochs-latest
    vgabios=/usr/share/bochs/VGABIOS-lgpl-latest
    [[ -f $vgabios ]] || vgabios=/usr/share/vgabios/vgabios.bin
    cat >"$dir/bochsrc" <<RC
megs: 64
cpu: model=$model, count=$cpus, ips=$ips
clock: sync=none, time0=1704067200
romimage: file="$bios"
vgaromimage: file="$vgabios"
display_library: term
sound: driver=dummy
speaker: enabled=0
magic_break: enabled=1
port_e9_hack: enabled=1
com1: enabled=1, mode=file, dev="$dir/serial.log"
ata0-master: type=cdrom, path="$dir/$name.iso", status=inserted
boot: cdrom
log: "$dir/bochs.log"
RC
    printf 'c\nquit\n' >"$dir/bochs.rc"
    run_logged "$dir/console.txt" env -C "$dir" TERM=dumb \
        timeout -s INT -k 5 "$timeout_s" bochs -q -f bochsrc -rc bochs.rc
    return 0
}

# check_clean_run LOG RUNOUT: the usual assertions of a whole run: it
# reached "tern: power off" and printed no PANIC. Also makes finish() show
# LOG and RUNOUT (the runner's output) if any assertion of the test failed.
check_clean_run() {
    local log=$1 runout=$2
    T_SHOW_LOG=$log
    T_SHOW_RUNOUT=$runout
    check power-off "no 'tern: power off' (runner status $RUN_STATUS, ${RUN_SECONDS} s)" \
        expect_line "$log" 'tern: power off'
    # Power off stops the other CPUs with an NMI; they must take it quietly.
    check no-stray-nmi "a CPU reported an unexpected NMI" \
        expect_no_line "$log" 'unexpected NMI'
    if expect_no_line "$log" '^PANIC'; then
        pass no-panic
    else
        fail no-panic "$(clean_log "$log" | grep -m1 -aE '^PANIC')"
    fi
}
