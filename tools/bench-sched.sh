#!/bin/sh
# Instruction cost of the vCPU scheduler's hot paths (hv/sched.c), counted
# by callgrind on a host build of tests/unit/bench_sched.c: per decision
# (update_curr + put_prev + pick_next), per wake-up, per enqueue and per
# dequeue, on run queues of 1, 16, 256 and 4096 entities. Only the
# measured calls are counted (--toggle-collect on their wrappers) and all
# inputs are seeded, so the numbers repeat exactly from run to run.
#
#   tools/bench-sched.sh [--json FILE] [--iters N]
#
# Prints a table; --json also writes one JSON object per line to FILE:
#   {"op":"pick","n":16,"instr_per_op":123.4}
set -eu

usage() {
	sed -n '2,/^set -eu/{/^set -eu/d;s/^# \{0,1\}//;p}' "$0"
}

json=
iters=10000
while [ $# -gt 0 ]; do
	case $1 in
	--json) [ $# -ge 2 ] || { usage >&2; exit 2; }; json=$2; shift 2 ;;
	--json=*) json=${1#--json=}; shift ;;
	--iters) [ $# -ge 2 ] || { usage >&2; exit 2; }; iters=$2; shift 2 ;;
	--iters=*) iters=${1#--iters=}; shift ;;
	-h|--help) usage; exit 0 ;;
	*) echo "bench-sched: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
	esac
done

root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/build/bench
cc=${HOSTCC:-cc}
command -v valgrind >/dev/null || { echo "bench-sched: valgrind not found" >&2; exit 1; }
mkdir -p "$out"

# -O2 as the hypervisor is built, no sanitizers.
"$cc" -std=gnu11 -O2 -g -Wall -Wextra -Werror -I"$root" \
	-o "$out/bench_sched" "$root/tests/unit/bench_sched.c" "$root/hv/sched.c"

if [ -n "$json" ]; then
	case $json in /*) ;; *) json=$PWD/$json ;; esac
	: > "$json"
fi

ops="pick wake enqueue dequeue"
sizes="1 16 256 4096"
printf '%-8s' "op"
for n in $sizes; do printf '%12s' "n=$n"; done
printf '     (instructions per operation, %s operations)\n' "$iters"

for op in $ops; do
	printf '%-8s' "$op"
	for n in $sizes; do
		cg=$out/callgrind.$op.$n
		if ! valgrind --tool=callgrind --callgrind-out-file="$cg" \
			--collect-atstart=no --toggle-collect="bench_$op" \
			"$out/bench_sched" "$op" "$n" "$iters" >"$out/run.log" 2>&1; then
			echo; cat "$out/run.log" >&2
			echo "bench-sched: $op n=$n failed" >&2
			exit 1
		fi
		ir=$(awk '/^summary:/ { print $2 }' "$cg")
		[ -n "$ir" ] && [ "$ir" -gt 0 ] || {
			echo; echo "bench-sched: no instructions counted for bench_$op" >&2
			exit 1
		}
		per=$(awk -v ir="$ir" -v it="$iters" 'BEGIN { printf "%.1f", ir / it }')
		printf '%12s' "$per"
		if [ -n "$json" ]; then
			printf '{"op":"%s","n":%s,"instr_per_op":%s}\n' "$op" "$n" "$per" >> "$json"
		fi
	done
	printf '\n'
done
