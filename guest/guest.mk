# guest.mk: the guest kernels (included by the top-level Makefile).
#
# Each guest is a Multiboot v1 ELF32 kernel linked at 1 MiB from its own
# directory guest/NAME/ plus the shared runtime guest/lib/, and lands in
# build/guest/NAME.elf. `make guests` builds them all; GUEST_CC=clang (or
# CC=clang) builds them with clang.

GUEST_CC ?= $(CC)
GUEST_LD ?= $(LD)
GUEST_NAMES := hello bad drtest bench smp

# 32-bit freestanding code. No SSE/MMX/x87: guests never set CR4.OSFXSR and
# clang's i386 default (pentium4) would otherwise vectorise loops.
GUEST_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -Wshadow \
	-Wmissing-prototypes -Wstrict-prototypes -Wvla \
	-ffreestanding -fno-builtin -fno-pic -fno-pie -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-common -nostdlib \
	-mno-sse -mno-mmx -mno-80387 -Iguest/lib
ifneq ($(findstring clang,$(GUEST_CC)),)
GUEST_CFLAGS += --target=i386-unknown-none-elf -march=i686
else
GUEST_CFLAGS += -m32 -march=i686
endif
GUEST_NASMFLAGS := -f elf32 -Iguest/lib/
GUEST_LDFLAGS := -m elf_i386 -nostdlib -static -z max-page-size=0x1000 -z noexecstack \
	-T guest/lib/guest.ld

GUEST_OBJ := $(BUILD)/guest/obj
GUEST_BINS := $(patsubst %,$(BUILD)/guest/%.elf,$(GUEST_NAMES))

# Objects of a source directory: guest/DIR/x.c -> build/guest/obj/DIR/x.o
guest_objs = $(patsubst guest/%.c,$(GUEST_OBJ)/%.o,$(wildcard guest/$(1)/*.c)) \
	$(patsubst guest/%.asm,$(GUEST_OBJ)/%.asm.o,$(wildcard guest/$(1)/*.asm))

GUEST_LIB_OBJS := $(call guest_objs,lib)

$(GUEST_OBJ)/%.o: guest/%.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  GUESTCC $<")
	$(Q)$(GUEST_CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@

$(GUEST_OBJ)/%.asm.o: guest/%.asm
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  NASM    $<")
	$(Q)$(NASM) $(GUEST_NASMFLAGS) -MD $(@:.o=.d) -MP $< -o $@

# One link rule per guest: its own objects first, then the runtime.
define guest_link
$(BUILD)/guest/$(1).elf: $(call guest_objs,$(1)) $(GUEST_LIB_OBJS) guest/lib/guest.ld
	@$(if $(Q),echo "  GUESTLD $$@")
	$(Q)$(GUEST_LD) $(GUEST_LDFLAGS) -o $$@ $(call guest_objs,$(1)) $(GUEST_LIB_OBJS)
endef
$(foreach g,$(GUEST_NAMES),$(eval $(call guest_link,$(g))))

guests: $(GUEST_BINS)

-include $(patsubst %.o,%.d,$(GUEST_LIB_OBJS) $(foreach g,$(GUEST_NAMES),$(call guest_objs,$(g))))
