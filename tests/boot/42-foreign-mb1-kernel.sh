#!/usr/bin/env bash
# Issue 4: a standard multiboot v1 kernel built by someone else runs
# unchanged under Tern and reports what it reports under QEMU -kernel.
# The kernel is the Multiboot specification's example kernel as Debian
# builds it (package "multiboot": /usr/lib/multiboot/examples/kernel). It
# prints the multiboot information on the VGA text screen and halts; Tern
# shows a VM's text screen when the VM ends, and the QEMU screen is read
# from guest memory through the QEMU monitor. Lines that describe the
# machine rather than the loader (memory map entries, mem_upper, the BIOS
# boot device, addresses) legitimately differ; the rest must match.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

test_init foreign-mb1
kernel=/usr/lib/multiboot/examples/kernel
if [[ ! -f $kernel ]]; then
    fail kernel "$kernel missing (package multiboot; tools/deps.sh installs it)"
    finish
fi
cp "$kernel" "$T_DIR/mbex"

# Under Tern, in Bochs.
iso="$T_DIR/t.iso"
make_test_iso "$iso" --vm "name=mbex,kernel=$T_DIR/mbex,cmdline=\"hello world\""
boot_bochs "$iso" 1 120
log=$BOCHS_LOG
clean_log "$log" | sed -n 's/^\[mbex\] vga: //p' >"$T_DIR/tern.txt"

# Under QEMU -kernel (TCG), same RAM and command line; read the screen.
sock="$T_DIR/qmp.sock"
rm -f "$sock"
( cd "$T_DIR" && timeout 20 qemu-system-x86_64 -accel tcg -kernel mbex -append "hello world" \
    -m 16 -display none -nic none -serial null -monitor "unix:$sock,server,nowait" \
    </dev/null >"$T_DIR/qemu.out" 2>&1 & )
python3 - "$sock" >"$T_DIR/qemu.txt" <<'PY'
import re, socket, sys, time
for _ in range(100):
    try:
        s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); break
    except OSError:
        time.sleep(0.1)
time.sleep(2.0)          # let the kernel print and halt
s.settimeout(1.0)
def drain():
    out = b""
    try:
        while True:
            d = s.recv(65536)
            if not d: break
            out += d
    except OSError:
        pass
    return out.decode(errors="replace")
drain()
s.send(b"xp /2000hx 0xb8000\n")
time.sleep(1.0)
cells = [int(x, 16) for x in re.findall(r" 0x([0-9a-f]{4})", drain())]
text = "".join(chr(c & 0xff) if 32 <= (c & 0xff) < 127 else " " for c in cells)
for r in range(25):
    line = text[r * 80:(r + 1) * 80].strip()
    if line: print(line)
s.send(b"quit\n")
PY
sed -i 's/^ *//' "$T_DIR/tern.txt"
echo "  Tern:"; sed 's/^/    /' "$T_DIR/tern.txt"
echo "  QEMU -kernel:"; sed 's/^/    /' "$T_DIR/qemu.txt"

check ran "the kernel printed nothing under Tern" test -s "$T_DIR/tern.txt"
check qemu-ran "the kernel printed nothing under QEMU" test -s "$T_DIR/qemu.txt"
check magic "the kernel rejected Tern's multiboot magic" expect_no_line "$T_DIR/tern.txt" 'Invalid magic'
# Loader-defined facts must be identical.
for re in '^mem_lower = ' '^cmdline = ' '^mods_count = ' '^Halted\.$'; do
    same() { [[ "$(grep -E "$1" "$T_DIR/tern.txt" | sed 's/mods_addr.*//; s/, mem_upper.*//')" == \
                "$(grep -E "$1" "$T_DIR/qemu.txt" | sed 's/mods_addr.*//; s/, mem_upper.*//')" && \
                -n "$(grep -E "$1" "$T_DIR/tern.txt")" ]]; }
    check "same-${re//[^a-z_]/}" "line '$re' differs between Tern and QEMU" same "$re"
done
# Both print the same kinds of lines (flags, memory, mmap entries...),
# except the BIOS boot device, which Tern does not fake.
kinds() { sed -E 's/ *=.*//; s/^size/mmap entry/' "$1" | grep -v '^boot_device' | sort -u; }
check same-shape "different kinds of lines" diff <(kinds "$T_DIR/tern.txt") <(kinds "$T_DIR/qemu.txt")
check halted "Tern did not end the VM at the kernel's final HLT" \
    expect_line_all "$log" '^result vm=mbex ' 'end=halted'
check_clean_run "$log" "$T_DIR/run.txt"
finish
