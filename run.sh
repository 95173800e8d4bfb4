#!/usr/bin/env bash
# run.sh: Tern's main job. Installs what is missing (as root), builds Tern
# and its guests, makes the demo ISO and boots it on the best machine here:
# QEMU with KVM when the host exposes VMX (nested virtualization), else
# Bochs (the only emulator that runs VMX code without it). The serial
# console appears on the terminal; the run ends by itself with a summary.
#
#   ./run.sh                  build and boot the demo
#   ./run.sh --no-build       boot build/tern.iso as it is
#   ./run.sh --bochs|--qemu   choose the machine
#   ./run.sh -- ARGS          pass ARGS to run-bochs.sh / run-qemu.sh
set -euo pipefail
cd "$(dirname "$0")"

build=1
machine=auto
extra=()
while [[ $# -gt 0 ]]; do
    case $1 in
        --no-build) build=0 ;;
        --bochs) machine=bochs ;;
        --qemu) machine=qemu ;;
        -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        --) shift; extra=("$@"); break ;;
        *) echo "run.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
done

if [[ $(id -u) -eq 0 ]]; then
    tools/deps.sh
elif ! tools/deps.sh --check >/dev/null 2>&1; then
    tools/deps.sh --check || true
    echo "run.sh: missing packages; install them with the line above (or run as root)" >&2
    exit 1
fi

if [[ $build -eq 1 ]]; then
    make -j"$(nproc)" iso
fi

if [[ $machine == auto ]]; then
    if [[ -e /dev/kvm ]] && grep -qw vmx /proc/cpuinfo; then
        machine=qemu
    else
        machine=bochs
    fi
fi
if [[ $machine == qemu ]]; then
    echo "run.sh: booting build/tern.iso in QEMU (KVM with nested VMX if available)"
    exec ./run-qemu.sh --iso build/tern.iso "${extra[@]}"
fi
echo "run.sh: this host has no usable VMX for QEMU/KVM; booting build/tern.iso in Bochs (2 CPUs)"
exec ./run-bochs.sh --iso build/tern.iso --cpus 2 --timeout 600 "${extra[@]}"
