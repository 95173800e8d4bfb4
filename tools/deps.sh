#!/usr/bin/env bash
# tools/deps.sh: install the Debian packages that building and testing Tern
# need. Idempotent: only missing packages are installed, and "apt-get update"
# runs only when something is missing.
set -euo pipefail

prog=${0##*/}

# Build: nasm gcc clang lld make (binutils comes with gcc).
# ISO: grub-common (grub-mkrescue), grub-pc-bin (BIOS), grub-efi-amd64-bin
#      (UEFI), xorriso, mtools.
# Emulators: bochs bochsbios vgabios bochs-term (VMX), qemu-system-x86 ovmf.
# Host unit tests: libcmocka-dev valgrind.
# Third-party guest kernels for tests: multiboot (the Multiboot
# specification's example kernel, built by Debian).
packages=(
    nasm gcc clang lld make
    grub-common grub-pc-bin grub-efi-amd64-bin xorriso mtools
    bochs bochsbios vgabios bochs-term qemu-system-x86 ovmf
    libcmocka-dev valgrind multiboot python3
)

usage() {
    cat <<EOF
Usage: $prog [--check]

Install the Debian packages Tern needs:
  ${packages[*]}

Only missing packages are installed (apt-get update runs once first).
As root it installs them; otherwise it prints the sudo command and exits 1.

Options:
  --check     only report what is missing (exit 1 if anything is)
  -h, --help  show this help
EOF
}

check_only=0
case ${1:-} in
    "") ;;
    --check) check_only=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "$prog: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [[ $status == installed ]] || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "$prog: all ${#packages[@]} packages installed"
    exit 0
fi

echo "$prog: missing: ${missing[*]}"
if [[ $check_only -eq 1 ]]; then
    exit 1
fi
if [[ $(id -u) -ne 0 ]]; then
    echo "$prog: not root; run:" >&2
    echo "  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing[*]}" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y "${missing[@]}"

# Verify: a package that apt could not install must not pass silently.
still=()
for p in "${missing[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [[ $status == installed ]] || still+=("$p")
done
if [[ ${#still[@]} -gt 0 ]]; then
    echo "$prog: still missing after install: ${still[*]}" >&2
    exit 1
fi
echo "$prog: installed ${missing[*]}"
