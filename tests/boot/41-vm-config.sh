#!/usr/bin/env bash
# Issue 4: VMs described on Tern's command line (vm=..., kernel by module
# index or name) and by module lines (vm:...), with extra modules passed to
# the guest in order; a wrong spec is reported and only that VM is skipped.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

test_init vm-config
kernel=/usr/lib/multiboot/examples/kernel
printf 'first module\n' >"$T_DIR/initrd.txt"
printf 'second module\n' >"$T_DIR/env.txt"
iso="$T_DIR/t.iso"
# Modules: 0 hello.elf (plain), 1 initrd.txt, 2 env.txt, 3 mbex (plain).
cp "$kernel" "$T_DIR/mbex" 2>/dev/null || true
make_test_iso "$iso" \
    --cmdline "'vm=name=byindex,kernel=0,mem=8M,cmdline=\"name=byindex exit=4\"' 'vm=name=mods,kernel=mbex,mem=32M,module=1,module=env.txt,cmdline=\"a b\"' vm=name=broken,kernel=0,mem=3K vm=name=nokernel,kernel=9" \
    --module "$BUILD/guest/hello.elf=hello.elf" \
    --module "$T_DIR/initrd.txt=initrd.txt rd" \
    --module "$T_DIR/env.txt=env.txt" \
    --module "$T_DIR/mbex=mbex" \
    --module "$BUILD/guest/hello.elf='vm:name=bymodule,cpus=1,weight=3,cmdline=\"name=bymodule exit=6\"'"
boot_bochs "$iso" 2 180
log=$BOCHS_LOG
check by-index "VM with kernel=0 did not run" \
    expect_line_all "$log" '^result vm=byindex ' 'status=9 ' 'mem_mib=8 '
check by-module "VM from a vm: module line did not run" \
    expect_line_all "$log" '^result vm=bymodule ' 'status=13 ' 'weight=3 '
check mods-count "the guest did not get its two modules" \
    expect_line "$log" '^\[mods\] vga: mods_count = 2, '
check mods-order "modules not in order with their strings" \
    expect_order "$log" '^[[]mods[]] vga: +mod_start = 0x[0-9a-f]+, mod_end = 0x[0-9a-f]+, cmdline = initrd.txt rd$' \
    '^[[]mods[]] vga: +mod_start = 0x[0-9a-f]+, mod_end = 0x[0-9a-f]+, cmdline = env.txt$'
check mods-cmdline "the guest's command line is not 'NAME ARGS'" \
    expect_line "$log" '^\[mods\] vga: cmdline = mods a b$'
check bad-mem "a too small mem= was not reported by name and value" \
    expect_line "$log" "vm 'broken': mem=3K is too small"
check bad-kernel "a missing kernel module was not reported" \
    expect_line_all "$log" 'vm nokernel: not created' 'kernel'
check summary "summary does not list all five VMs" expect_line "$log" '^result vms=5$'
check_clean_run "$log" "$T_DIR/run.txt"
finish
