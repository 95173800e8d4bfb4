# Tern build. `make` builds build/tern.elf, `make iso` the bootable ISO,
# `make unit` builds and runs the host unit tests, `make test` runs everything.
#
#   CC=clang make          build with clang
#   CROSS_COMPILE=x86_64-elf- make   use a cross toolchain

CROSS_COMPILE ?=
CC := $(if $(filter default,$(origin CC)),$(CROSS_COMPILE)gcc,$(CC))
LD := $(if $(filter default,$(origin LD)),$(CROSS_COMPILE)ld,$(LD))
OBJCOPY ?= $(CROSS_COMPILE)objcopy
NM ?= $(CROSS_COMPILE)nm
NASM ?= nasm
HOSTCC ?= cc

BUILD := build
# `make V=1` shows the full commands.
Q := $(if $(V),,@)
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

WARNINGS := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes \
	-Wstrict-prototypes -Wvla -Wpointer-arith -Wundef -Wno-unused-parameter

# Freestanding, no red zone (interrupts use the stack), no SSE/x87 state in
# hypervisor code (guest FPU state stays in the registers untouched),
# small code model: Tern is linked and runs below 2 GiB.
KCFLAGS := -std=gnu11 -O2 -g $(WARNINGS) -ffreestanding -fno-builtin \
	-fno-stack-protector -fno-pic -fno-pie -fno-omit-frame-pointer \
	-mno-red-zone -mgeneral-regs-only -mcmodel=small -fno-common \
	-fno-asynchronous-unwind-tables -I. -DTERN_VERSION=\"$(VERSION)\"
KLDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack -T linker.ld \
	--no-warn-rwx-segments

# `make BREAK=skip-dr6-reset BUILD=build/broken` builds a deliberately
# broken Tern whose VM-exit path leaves a guest's DR6 bits in the hardware:
# tests/boot/47-dr-trace.sh uses it to prove the trace checker can fail.
# Such a build says so in its banner. Never ship one.
BREAK ?=
ifeq ($(BREAK),skip-dr6-reset)
KCFLAGS += -DTERN_BREAK_SKIP_DR6_RESET
else ifneq ($(BREAK),)
$(error BREAK=$(BREAK): the only deliberate breakage is skip-dr6-reset)
endif

ifneq ($(findstring clang,$(CC)),)
KCFLAGS += --target=x86_64-unknown-none-elf
endif

KERNEL_C := $(wildcard hv/*.c arch/x86/*.c)
KERNEL_ASM := $(filter-out boot/ap_trampoline.asm,$(wildcard boot/*.asm arch/x86/*.asm))
KERNEL_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(KERNEL_C)) \
	$(patsubst %.asm,$(BUILD)/obj/%.o,$(KERNEL_ASM))

.PHONY: all iso unit test clean guests run
all: $(BUILD)/tern.elf

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(KCFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/obj/%.o: %.asm
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  NASM    $<")
	$(Q)$(NASM) -f elf64 -g -F dwarf -I$(BUILD)/ -MD $(@:.o=.d) -MP $< -o $@

# The AP trampoline is a flat real-mode binary embedded by boot/ap_blob.asm.
$(BUILD)/ap_trampoline.bin: boot/ap_trampoline.asm
	@mkdir -p $(dir $@)
	$(NASM) -f bin $< -o $@
$(BUILD)/obj/boot/ap_blob.o: $(BUILD)/ap_trampoline.bin

$(BUILD)/tern.elf: $(KERNEL_OBJS) linker.ld
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(LD) $(KLDFLAGS) -o $@ $(KERNEL_OBJS)
	$(Q)$(NM) -n $@ | awk '{ print $$1, $$3 }' > $(BUILD)/tern.sym

# The VM-exit path keeps no frame pointer: push/mov/pop in each of its
# calls is a tenth of a CPUID exit (docs/benchmarks.md).
HOT_PATH_OBJS := $(addprefix $(BUILD)/obj/arch/x86/,vcpu_run.o vmexit.o vcpu.o)
$(HOT_PATH_OBJS): KCFLAGS += -fomit-frame-pointer

-include $(KERNEL_OBJS:.o=.d)

include guest/guest.mk
include tests/unit/unit.mk

# The default ISO: the demo first (what ./run.sh shows), then other entries.
# DEMO_CMDLINE / DEMO_VMS can be overridden; see README.md.
DEMO_CMDLINE ?= watch=w:vms_running
G := $(BUILD)/guest
DEMO_VMS ?= \
	--vm 'name=drtest,kernel=$(G)/drtest.elf,cmdline="loops=300"' \
	--vm 'name=hello-a,kernel=$(G)/hello.elf,weight=1,cmdline="name=hello-a loops=1500"' \
	--vm 'name=hello-b,kernel=$(G)/hello.elf,weight=2,cmdline="name=hello-b loops=1500"' \
	--vm 'name=bad-msr,kernel=$(G)/bad.elf,cmdline="mode=msr"' \
	--vm "name=traced,kernel=$(G)/hello.elf,break=x:$$(tools/symaddr $(G)/hello.elf hello_touch),cmdline=\"name=traced loops=100 touch=200 drcheck=1\""

iso: $(BUILD)/tern.iso
$(BUILD)/tern.iso: $(BUILD)/tern.elf tools/mkiso $(GUEST_BINS) Makefile
	$(Q)tools/mkiso -q -o $@ --kernel $(BUILD)/tern.elf \
		--entry-title "Tern demo: 4 VMs, debug registers, a hypervisor watchpoint" \
		--cmdline "$(DEMO_CMDLINE)" $(DEMO_VMS) \
		--entry "Tern: boot check only (no VMs)" \
		--entry "Tern demo with debug-register trace points (trace=dr, for Bochs)" \
		--cmdline "$(DEMO_CMDLINE) trace=dr" $(DEMO_VMS)
	@echo "  ISO     $@"

test:
	./tests/run-all.sh

run: iso
	./run.sh --no-build

clean:
	rm -rf $(BUILD)

include bench.mk
