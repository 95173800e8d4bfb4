# bench.mk: `make bench` (included at the end of the top-level Makefile).
#
# Builds Tern and guest/bench, then tools/bench.sh times each operation in
# its own Bochs boot (plus a "dry" twin), runs tools/bench-sched.sh, prints
# the table and writes build/bench.json. docs/benchmarks.md explains the
# figures. BENCH_ARGS passes options on, e.g.
#   make bench BENCH_ARGS="--ops cpuid,vmcall --no-sched"

BENCH_ARGS ?=

.PHONY: bench
bench: $(BUILD)/tern.elf $(BUILD)/guest/bench.elf
	tools/bench.sh $(BENCH_ARGS)
