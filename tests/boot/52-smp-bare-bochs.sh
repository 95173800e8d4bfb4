#!/usr/bin/env bash
# The SMP guest on bare Bochs (4 CPUs, no Tern): checks the guest itself
# against an independent local APIC model, so that a pass under Tern
# (50-smp-guest.sh) means what it says. The TSC and APIC timer rates are
# measured against the PIT there. Skipped, because Bochs 2.7 differs from
# the SDM: apic-disable (a globally disabled APIC cannot be re-enabled),
# and init-restart (INIT + SIPI of an AP in x2APIC mode never comes back;
# in xAPIC mode it works). Bochs also keeps IA32_TSC_DEADLINE after the
# timer fires and sets no ESR bit for an illegal vector: the guest accepts
# that when it is not under Tern.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

test_init smp-bare-bochs
elf="$BUILD/guest/smp.elf"
if [[ ! -f $elf ]]; then
    fail build "$elf missing"
    finish
fi
mkdir -p "$T_DIR/iso/boot/grub"
cp "$elf" "$T_DIR/iso/boot/smp.elf"
cat >"$T_DIR/iso/boot/grub/grub.cfg" <<'CFG'
set timeout=0
set default=0
menuentry "smp" {
    multiboot /boot/smp.elf cpus=4 skip=apic-disable,init-restart
    boot
}
CFG
if ! grub-mkrescue --fonts= --locales= --themes= \
        "--install-modules=normal configfile boot multiboot iso9660 part_msdos" \
        -o "$T_DIR/smp.iso" "$T_DIR/iso" >"$T_DIR/mkrescue.txt" 2>&1; then
    fail mkrescue "grub-mkrescue failed"
    sed 's/^/  | /' "$T_DIR/mkrescue.txt"
    finish
fi

bios=/usr/share/bochs/BIOS-bochs-latest
vgabios=/usr/share/bochs/VGABIOS-lgpl-latest
[[ -f $vgabios ]] || vgabios=/usr/share/vgabios/vgabios.bin
log="$T_DIR/serial.log"
cat >"$T_DIR/bochsrc" <<RC
megs: 64
cpu: model=corei7_skylake_x, count=4, ips=50000000
clock: sync=none, time0=1704067200
romimage: file="$bios"
vgaromimage: file="$vgabios"
display_library: term
sound: driver=dummy
speaker: enabled=0
magic_break: enabled=1
port_e9_hack: enabled=1
com1: enabled=1, mode=file, dev="$log"
ata0-master: type=cdrom, path="$T_DIR/smp.iso", status=inserted
boot: cdrom
log: "$T_DIR/bochs.log"
RC
printf 'c\nquit\n' >"$T_DIR/bochs.rc"
# guest_exit writes "Shutdown" to port 0x8900, which stops Bochs.
run_logged "$T_DIR/run.txt" bash -c "cd '$T_DIR' && TERM=dumb timeout -s INT -k 5 300 \
    bochs -q -f bochsrc -rc bochs.rc"
echo "  (bochs run: ${RUN_SECONDS} s, status $RUN_STATUS)"
T_SHOW_LOG=$log

clean_log "$log" | grep -aE '^smp: (PASS|FAIL|SKIP) ' | sed 's/^/  /'
check summary "no 'smp: N passed, 0 failed' line" \
    expect_line "$log" '^smp: [1-9][0-9]* passed, 0 failed'
check exit-0 "no 'guest: exit 0' line" expect_line "$log" '^guest: exit 0'
finish
