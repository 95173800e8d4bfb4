# Host unit tests (cmocka). Each tests/unit/test_NAME.c is one binary; its
# companion tests/unit/test_NAME.mk sets UNIT_SRCS_NAME to the Tern sources
# it exercises (and UNIT_DEPS_NAME to files it #includes, e.g. a device
# file whose static handlers it tests). `make unit` builds and runs them all.

UNIT_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -Wno-unused-parameter \
	-I. -DTERN_HOST_TEST -fsanitize=address,undefined -fno-omit-frame-pointer
UNIT_LIBS := -lcmocka

-include $(wildcard tests/unit/test_*.mk)

UNIT_TESTS := $(patsubst tests/unit/test_%.c,%,$(wildcard tests/unit/test_*.c))
UNIT_BINS := $(patsubst %,$(BUILD)/unit/test_%,$(UNIT_TESTS))

.SECONDEXPANSION:
$(BUILD)/unit/test_%: tests/unit/test_%.c $$(UNIT_SRCS_$$*) $$(UNIT_DEPS_$$*) $$(wildcard tests/unit/*.h) $$(wildcard hv/*.h arch/x86/*.h)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(UNIT_CFLAGS) -o $@ $< $(UNIT_SRCS_$*) $(UNIT_LIBS)

unit-build: $(UNIT_BINS)

unit: $(UNIT_BINS)
	@status=0; for t in $(UNIT_BINS); do \
		echo "== $$t"; $$t || status=1; \
	done; exit $$status

.PHONY: unit unit-build
