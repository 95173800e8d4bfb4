#!/usr/bin/env bash
# run-bochs.sh: boot a Tern ISO headless in Bochs (the only emulator here that
# runs VMX code), show the serial console live, keep it in a log, and judge
# the run by that log. See docs in --help and /work/shared/docs/test-rig.md.
set -euo pipefail

prog=${0##*/}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

usage() {
    cat <<EOF
Usage: $prog [options]

Boot an ISO in Bochs without a display. The serial port (COM1) is shown on
the terminal as it comes (escape sequences and CRs removed) and kept verbatim
in a log file. Exit status 0 if the log contains "tern: power off", else 1
(2 on bad usage).

The run ends by itself when:
  - the kernel reaches its magic breakpoint (xchg bx,bx) and the debugger rc
    file says "quit" (the default rc is "c" then "quit"), or ACPI S5;
  - a line starting with PANIC appears: Bochs is stopped after --panic-grace
    seconds (the kernel halts all CPUs, so Bochs would spin to the timeout);
  - "tern: power off" appeared but Bochs is still running 10 s later;
  - the timeout hits ("$prog: timed out after N s");
  - Bochs dies (its last PANIC/ERROR lines are shown).

Options:
  --iso PATH          ISO to boot (default: $repo/build/tern.iso)
  --model NAME        Bochs CPU model (default: corei7_skylake_x; with full
                      VMX: corei7_sandy_bridge_2600k corei7_ivy_bridge_3770k
                      corei7_haswell_4770 broadwell_ult corei7_skylake_x
                      corei3_cnl corei7_icelake_u tigerlake; monitor trap flag
                      only on the last two; core2_penryn_t9600: VMX, no EPT)
  --cpus N            emulated CPUs (default: 2)
  --ips N             emulated instructions per emulated second (default:
                      50000000). Emulated time advances only with executed
                      instructions (clock: sync=none), so N sets how much work
                      fits in a timer tick; higher N makes the BIOS's timed
                      waits cost more (2 CPUs: ~1.4 s at 4M, ~3.3 s at 50M,
                      ~9.6 s at 200M to boot a trivial kernel).
  --mem MB            guest memory (default: 512)
  --timeout S         wall-clock limit in seconds (default: 300)
  --log FILE          serial log (default: WORKDIR/bochs-serial.log)
  --bochs-log FILE    Bochs's own log (default: WORKDIR/bochs.log)
  --rc FILE           debugger command file to use instead of the default
                      ("c", "quit"). Each stop (magic breakpoint, vmexitbp,
                      ...) consumes one "c"; end it with "quit".
  --debugger-log FILE add "debugger_log: FILE" (debugger commands + output)
  --trace-dr N        debug-register tracing: at each of the first N stops
                      (Tern's trace=dr points are magic breakpoints) print
                      the registers and DR0-DR7 ("r", "dreg") into the
                      debugger log (default WORKDIR/debugger.log); check it
                      with tools/dr-trace-check. See tools/dr-trace.sh.
  --bochsrc-line LINE append LINE to the generated bochsrc (repeatable)
  --panic-grace S     seconds to keep running after a PANIC line (default: 2;
                      "off": never stop early on PANIC)
  --workdir DIR       where the bochsrc, default rc file and logs go
                      (default: $repo/build). Give parallel runs distinct
                      work directories.
  --quiet             no live echo of the serial port
  -h, --help          show this help

Files written in WORKDIR: bochsrc, bochs-debug.rc (unless --rc),
bochs-console.txt (Bochs's stdout+stderr: its term display, port 0xE9
output, debugger output), plus the default logs above.

The CMOS clock starts at a fixed time (clock: time0=$time0) so runs
are repeatable. A triple fault resets the machine; the debugger stops at the
reset and runs the next rc command (with the default rc: quit), and the
failure report quotes Bochs's "exception(): 3rd (N) exception" line.
EOF
}

time0=1704067200  # 2024-01-01 00:00:00 UTC

die() { echo "$prog: $*" >&2; exit 1; }
usage_error() { echo "$prog: $*" >&2; echo "Try '$prog --help'." >&2; exit 2; }
need_arg() { [[ $# -ge 2 ]] || usage_error "option $1 needs an argument"; }
is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }

iso="$repo/build/tern.iso"
model=corei7_skylake_x
cpus=2
ips=50000000
mem=512
timeout_s=300
workdir="$repo/build"
log=""
bochs_log=""
rc=""
trace_dr=0
debugger_log=""
panic_grace=2
quiet=0
extra_lines=()

while [[ $# -gt 0 ]]; do
    case $1 in
        --iso)          need_arg "$@"; iso=$2; shift 2 ;;
        --model)        need_arg "$@"; model=$2; shift 2 ;;
        --cpus)         need_arg "$@"; cpus=$2; shift 2 ;;
        --ips)          need_arg "$@"; ips=$2; shift 2 ;;
        --mem)          need_arg "$@"; mem=$2; shift 2 ;;
        --timeout)      need_arg "$@"; timeout_s=$2; shift 2 ;;
        --log)          need_arg "$@"; log=$2; shift 2 ;;
        --bochs-log)    need_arg "$@"; bochs_log=$2; shift 2 ;;
        --rc)           need_arg "$@"; rc=$2; shift 2 ;;
        --debugger-log) need_arg "$@"; debugger_log=$2; shift 2 ;;
        --trace-dr)     need_arg "$@"; trace_dr=$2; shift 2 ;;
        --bochsrc-line) need_arg "$@"; extra_lines+=("$2"); shift 2 ;;
        --panic-grace)  need_arg "$@"; panic_grace=$2; shift 2 ;;
        --workdir)      need_arg "$@"; workdir=$2; shift 2 ;;
        --quiet|-q)     quiet=1; shift ;;
        -h|--help)      usage; exit 0 ;;
        *)              usage_error "unknown argument '$1'" ;;
    esac
done

check_positive() {  # OPTION VALUE
    [[ $2 =~ ^[0-9]+$ && $2 -ge 1 ]] || usage_error "$1: not a positive number: $2"
}
check_positive --cpus "$cpus"
check_positive --ips "$ips"
check_positive --mem "$mem"
check_positive --timeout "$timeout_s"
[[ $panic_grace == off ]] || is_uint "$panic_grace" || usage_error "--panic-grace: not a number or 'off': $panic_grace"
[[ $model =~ ^[A-Za-z0-9_]+$ ]] || usage_error "--model: bad name: $model"

command -v bochs >/dev/null 2>&1 || die "bochs not found (install bochs bochsbios vgabios bochs-term; see tools/deps.sh)"
[[ -f $iso ]] || die "ISO not found: $iso (run 'make iso' first?)"
[[ -z $rc || -f $rc ]] || die "rc file not found: $rc"

mkdir -p "$workdir"
workdir=$(cd "$workdir" && pwd)
: "${log:=$workdir/bochs-serial.log}"
: "${bochs_log:=$workdir/bochs.log}"

abspath() {  # works for files that do not exist yet
    local d
    d=$(dirname "$1"); mkdir -p "$d"
    printf '%s/%s\n' "$(cd "$d" && pwd)" "$(basename "$1")"
}
iso=$(abspath "$iso")
log=$(abspath "$log")
bochs_log=$(abspath "$bochs_log")
[[ -z $debugger_log ]] || debugger_log=$(abspath "$debugger_log")
is_uint "$trace_dr" || usage_error "--trace-dr: not a number: $trace_dr"
if [[ $trace_dr -gt 0 && -z $debugger_log ]]; then
    mkdir -p "$workdir"
    debugger_log="$(cd "$workdir" && pwd)/debugger.log"
fi
[[ -z $rc ]] || rc=$(abspath "$rc")

# bochsrc values are double-quoted; refuse what cannot be quoted there.
for p in "$iso" "$log" "$bochs_log" "$debugger_log"; do
    [[ $p != *[\",$'\n']* ]] || die "path not usable in a bochsrc (quote, comma or newline): $p"
done

bios=/usr/share/bochs/BIOS-bochs-latest
vgabios=/usr/share/bochs/VGABIOS-lgpl-latest
[[ -f $vgabios ]] || vgabios=/usr/share/vgabios/vgabios.bin
[[ -f $bios ]] || die "$bios missing (install bochsbios)"
[[ -f $vgabios ]] || die "VGA BIOS missing (install vgabios)"

bochsrc="$workdir/bochsrc"
console="$workdir/bochs-console.txt"
{
    echo "# Generated by $prog; regenerated on every run."
    echo "megs: $mem"
    echo "cpu: model=$model, count=$cpus, ips=$ips"
    echo "clock: sync=none, time0=$time0"
    echo "romimage: file=\"$bios\""
    echo "vgaromimage: file=\"$vgabios\""
    echo "display_library: term"
    echo "sound: driver=dummy"
    echo "speaker: enabled=0"
    echo "magic_break: enabled=1"
    echo "port_e9_hack: enabled=1"
    echo "com1: enabled=1, mode=file, dev=\"$log\""
    echo "ata0-master: type=cdrom, path=\"$iso\", status=inserted"
    echo "boot: cdrom"
    echo "log: \"$bochs_log\""
    [[ -z $debugger_log ]] || echo "debugger_log: \"$debugger_log\""
    for l in "${extra_lines[@]}"; do echo "$l"; done
} >"$bochsrc"

if [[ -z $rc ]]; then
    rc="$workdir/bochs-debug.rc"
    if [[ $trace_dr -gt 0 ]]; then
        { echo c; for ((i = 0; i < trace_dr; i++)); do printf 'r\ndreg\nc\n'; done
          echo quit; } >"$rc"
    else
        printf 'c\nquit\n' >"$rc"
    fi
fi

# --- run -------------------------------------------------------------------
# shellcheck source=tools/lib/run-watch.sh
. "$repo/tools/lib/run-watch.sh"
: >"$log"
rm -f "$bochs_log"
watch_traps INT  # not TERM: see below

start=$SECONDS
# The debugger reads stdin once the rc file runs out: stdin must be
# /dev/null. The term display needs a terminal type only, not a terminal.
# Bochs catches SIGTERM and ignores it while its CPUs are halted; SIGINT
# breaks into the debugger, which then reads EOF and quits at once. So
# stop it with SIGINT (timeout forwards the signals it gets), SIGKILL as
# a last resort.
TERM=dumb timeout -s INT -k 3 "$timeout_s" \
    bochs -q -f "$bochsrc" -rc "$rc" </dev/null >"$console" 2>&1 &
emu_pid=$!

watch_echo
watch_emulator

# Failed: say what Bochs itself saw (a triple fault shows up as
# "exception(): 3rd (N) exception with no resolution ... resetting").
if watch_exited; then
    echo "$prog: bochs exited with status $status after $elapsed s" >&2
fi
if [[ -f $bochs_log ]] && grep -qaE '^[0-9]+[pe]\[' "$bochs_log"; then
    echo "$prog: last errors in $bochs_log:" >&2
    grep -aE '^[0-9]+[pe]\[' "$bochs_log" | tail -n 5 | sed 's/^/  /' >&2
fi
watch_fail
