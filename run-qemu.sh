#!/usr/bin/env bash
# run-qemu.sh: boot a Tern ISO in QEMU (BIOS or UEFI), show the serial console
# live, keep it in a log, and judge the run by that log. QEMU runs VMX code
# only with KVM on a host whose CPU has VMX; elsewhere (TCG) Tern must say
# that VMX is missing and power off cleanly.
set -euo pipefail

prog=${0##*/}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

usage() {
    cat <<EOF
Usage: $prog [options] [-- EXTRA-QEMU-ARGS...]

Boot an ISO in QEMU with no display and no network. The serial port (COM1)
is shown on the terminal as it comes (escape sequences and CRs removed) and
kept verbatim in a log file. Exit status 0 if the log contains
"tern: power off", else 1 (2 on bad usage).

Accelerator: KVM with "-cpu host" when /dev/kvm is usable AND /proc/cpuinfo
has the vmx flag (nested VMX possible); otherwise TCG with QEMU's default
CPU, which has no VMX. The choice is printed on stderr.

Machine: q35 by default (ICH9, PCIe, AHCI CD-ROM; ACPI PM1a_CNT at 0x604,
the chipset OVMF is built for); "--machine pc" gives i440FX/PIIX4.

The run ends by itself: on ACPI S5 (QEMU exits), on a write to the
isa-debug-exit port 0xf4 (QEMU exits with status (value << 1) | 1), on a
triple fault (-no-reboot), --panic-grace seconds after a line starting with
PANIC, 10 s after "tern: power off" if QEMU is still running, or at the
timeout ("$prog: timed out after N s").

Options:
  --iso PATH          ISO to boot (default: $repo/build/tern.iso)
  --cpus N            emulated CPUs (default: 2)
  --mem MB            guest memory (default: 512)
  --uefi              boot through OVMF (pflash OVMF_CODE_4M.fd read-only,
                      plus a fresh copy of OVMF_VARS_4M.fd in WORKDIR)
  --machine q35|pc    machine type (default: q35)
  --accel auto|kvm|tcg  accelerator (default: auto, see above)
  --cpu MODEL         -cpu MODEL (default: host with KVM, QEMU's with TCG)
  --log FILE          serial log (default: WORKDIR/qemu-serial.log)
  --timeout S         wall-clock limit in seconds (default: 120)
  --panic-grace S     seconds to keep running after a PANIC line (default: 2;
                      "off": never stop early on PANIC)
  --workdir DIR       where logs and the OVMF variables copy go (default:
                      $repo/build). Give parallel runs distinct ones.
  --quiet             no live echo of the serial port
  -h, --help          show this help
  -- ARGS...          pass the remaining arguments to QEMU unchanged

Files written in WORKDIR: the serial log, qemu-debugcon.log (port 0xE9
output), qemu-console.txt (QEMU's own stdout and stderr), and with --uefi
OVMF_VARS_4M.fd.
EOF
}

die() { echo "$prog: $*" >&2; exit 1; }
usage_error() { echo "$prog: $*" >&2; echo "Try '$prog --help'." >&2; exit 2; }
need_arg() { [[ $# -ge 2 ]] || usage_error "option $1 needs an argument"; }
check_positive() {  # OPTION VALUE
    [[ $2 =~ ^[0-9]+$ && $2 -ge 1 ]] || usage_error "$1: not a positive number: $2"
}

iso="$repo/build/tern.iso"
cpus=2
mem=512
uefi=0
machine=q35
accel=auto
cpu_model=""
log=""
timeout_s=120
panic_grace=2
workdir="$repo/build"
quiet=0
extra=()

while [[ $# -gt 0 ]]; do
    case $1 in
        --iso)          need_arg "$@"; iso=$2; shift 2 ;;
        --cpus)         need_arg "$@"; cpus=$2; shift 2 ;;
        --mem)          need_arg "$@"; mem=$2; shift 2 ;;
        --uefi)         uefi=1; shift ;;
        --machine|-M)   need_arg "$@"; machine=$2; shift 2 ;;
        --accel)        need_arg "$@"; accel=$2; shift 2 ;;
        --cpu)          need_arg "$@"; cpu_model=$2; shift 2 ;;
        --log)          need_arg "$@"; log=$2; shift 2 ;;
        --timeout)      need_arg "$@"; timeout_s=$2; shift 2 ;;
        --panic-grace)  need_arg "$@"; panic_grace=$2; shift 2 ;;
        --workdir)      need_arg "$@"; workdir=$2; shift 2 ;;
        --quiet|-q)     quiet=1; shift ;;
        -h|--help)      usage; exit 0 ;;
        --)             shift; extra=("$@"); break ;;
        *)              usage_error "unknown argument '$1'" ;;
    esac
done

check_positive --cpus "$cpus"
check_positive --mem "$mem"
check_positive --timeout "$timeout_s"
[[ $panic_grace == off || $panic_grace =~ ^[0-9]+$ ]] ||
    usage_error "--panic-grace: not a number or 'off': $panic_grace"
case $machine in q35|pc) ;; *) usage_error "--machine: q35 or pc, not '$machine'" ;; esac
case $accel in auto|kvm|tcg) ;; *) usage_error "--accel: auto, kvm or tcg, not '$accel'" ;; esac

command -v qemu-system-x86_64 >/dev/null 2>&1 ||
    die "qemu-system-x86_64 not found (install qemu-system-x86; see tools/deps.sh)"
[[ -f $iso ]] || die "ISO not found: $iso (run 'make iso' first?)"

mkdir -p "$workdir"
workdir=$(cd "$workdir" && pwd)
: "${log:=$workdir/qemu-serial.log}"
mkdir -p "$(dirname "$log")"
for p in "$iso" "$log" "$workdir"; do
    [[ $p != *,* ]] || die "path with a comma is not usable in QEMU options: $p"
done

# --- accelerator -----------------------------------------------------------
if [[ $accel == auto ]]; then
    why=""
    if [[ ! -c /dev/kvm || ! -r /dev/kvm || ! -w /dev/kvm ]]; then
        why="no usable /dev/kvm"
    elif ! grep -qw vmx /proc/cpuinfo; then
        why="host CPU has no vmx flag"
    fi
    if [[ -z $why ]]; then
        accel=kvm
        echo "$prog: accel kvm, -cpu host (host has VMX)" >&2
    else
        accel=tcg
        echo "$prog: accel tcg, no VMX for the guest ($why)" >&2
    fi
else
    echo "$prog: accel $accel (forced)" >&2
fi
[[ -n $cpu_model || $accel != kvm ]] || cpu_model=host

qemu=(qemu-system-x86_64
    -machine "$machine" -accel "$accel" -smp "$cpus" -m "$mem"
    -no-reboot -display none -nic none -monitor none
    -cdrom "$iso" -boot d
    -chardev "file,id=s0,path=$log" -serial chardev:s0
    -chardev "file,id=dbg,path=$workdir/qemu-debugcon.log"
    -device "isa-debugcon,iobase=0xe9,chardev=dbg"
    -device "isa-debug-exit,iobase=0xf4,iosize=0x04")
[[ -z $cpu_model ]] || qemu+=(-cpu "$cpu_model")

if [[ $uefi -eq 1 ]]; then
    code=/usr/share/OVMF/OVMF_CODE_4M.fd
    vars=/usr/share/OVMF/OVMF_VARS_4M.fd
    [[ -f $code && -f $vars ]] || die "OVMF not found in /usr/share/OVMF (install ovmf)"
    cp "$vars" "$workdir/OVMF_VARS_4M.fd"   # fresh NVRAM: no state between runs
    qemu+=(-drive "if=pflash,format=raw,unit=0,readonly=on,file=$code"
           -drive "if=pflash,format=raw,unit=1,file=$workdir/OVMF_VARS_4M.fd")
fi
qemu+=("${extra[@]}")

# --- run -------------------------------------------------------------------
# shellcheck source=tools/lib/run-watch.sh
. "$repo/tools/lib/run-watch.sh"
: >"$log"
console="$workdir/qemu-console.txt"
watch_traps TERM

start=$SECONDS
timeout -k 3 "$timeout_s" "${qemu[@]}" </dev/null >"$console" 2>&1 &
emu_pid=$!

watch_echo
watch_emulator

if watch_exited; then
    hint=""
    [[ $status -ne 0 ]] || hint=" (a triple fault ends QEMU this way under -no-reboot)"
    echo "$prog: qemu exited with status $status after $elapsed s$hint" >&2
fi
if [[ -s $console ]]; then
    echo "$prog: qemu said:" >&2
    tail -n 5 "$console" | sed 's/^/  /' >&2
fi
watch_fail
