#!/usr/bin/env bash
# tools/dr-trace.sh: record what Bochs's emulated hardware really holds in
# DR0-DR7 while Tern runs, and check it against the debug-register
# contract (tools/dr-trace-check).
#
# Builds an ISO with Tern's trace=dr option (a Bochs magic breakpoint at
# every scheduler pass, VM entry and VM exit), runs it in Bochs with a
# debugger script that prints the registers ("r") and the debug registers
# ("dreg") at each stop, keeps the debugger log, and runs the checker.
#
# Usage: tools/dr-trace.sh [options] [-- MKISO-ARGS...]
#   --stops N        debugger stops to allow (default 40000); each VM exit
#                    costs about two, each scheduler pass one
#   --cpus N         emulated CPUs (default 1)
#   --cmdline "..."  extra Tern options (default: watch=w:vms_running)
#   --kernel ELF     the Tern to trace (default build/tern.elf)
#   --out DIR        where to keep the ISO and logs (default build/dr-trace)
#   --timeout S      Bochs time limit (default 600)
# MKISO-ARGS describe the VMs (tools/mkiso --vm ...); the default is two
# drtest VMs and a hello VM sharing the CPU.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
stops=40000 cpus=1 out="$ROOT/build/dr-trace" timeout=600 kernel="$ROOT/build/tern.elf"
cmdline="watch=w:vms_running"
vms=()
while [[ $# -gt 0 ]]; do
    case $1 in
        --stops) stops=$2; shift 2 ;;
        --cpus) cpus=$2; shift 2 ;;
        --cmdline) cmdline=$2; shift 2 ;;
        --kernel) kernel=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --timeout) timeout=$2; shift 2 ;;
        -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        --) shift; vms=("$@"); break ;;
        *) echo "dr-trace.sh: unknown option '$1'" >&2; exit 2 ;;
    esac
done
G="$ROOT/build/guest"
if [[ ${#vms[@]} -eq 0 ]]; then
    vms=(--vm "name=dr1,kernel=$G/drtest.elf,cmdline=\"loops=40 seed=1\""
         --vm "name=dr2,kernel=$G/drtest.elf,cmdline=\"loops=40 seed=2\""
         --vm "name=hello,kernel=$G/hello.elf,cmdline=\"loops=20\"")
fi
mkdir -p "$out"
"$ROOT/tools/mkiso" -q -o "$out/trace.iso" --kernel "$kernel" \
    --cmdline "trace=dr $cmdline" "${vms[@]}"
rm -f "$out/debugger.log"
set +e
"$ROOT/run-bochs.sh" --quiet --iso "$out/trace.iso" --cpus "$cpus" --timeout "$timeout" \
    --trace-dr "$stops" --debugger-log "$out/debugger.log" --workdir "$out" \
    --log "$out/serial.log"
status=$?
set -e
[[ $status -eq 0 ]] || echo "dr-trace.sh: the run did not reach power off (see $out/serial.log)"
echo "dr-trace.sh: debugger log $out/debugger.log, serial log $out/serial.log"
"$ROOT/tools/dr-trace-check" --quiet "$out/debugger.log"
