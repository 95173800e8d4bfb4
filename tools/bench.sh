#!/usr/bin/env bash
# tools/bench.sh: Tern's benchmarks (what `make bench` runs). Measures the
# VM-exit path with guest/bench in Bochs and the scheduler with
# tools/bench-sched.sh, prints one table and writes build/bench.json.
#
#   tools/bench.sh [--goal N] [--jobs N] [--ops a,b] [--json FILE] [--no-sched]
#
# Method (docs/benchmarks.md has the details):
#   - Every operation runs in its own Bochs boot with one VM that runs only
#     that operation ("ops=NAME"), so Tern's end-of-run counters (exits by
#     reason per vCPU, debug-register reads and writes per CPU) belong to it.
#   - Each boot has a "dry" twin: the same guest, set-up and output, with
#     the measured instruction replaced by a NOP (guest command line
#     dry=1). The guest pads its lines to a fixed length, so both boots
#     print the same number of characters. Counter(run) - counter(dry) is
#     therefore exactly what the measured loop caused: exits per operation
#     = delta exits / executions, DR reads (writes) per exit = delta DR
#     reads (writes) / delta exits.
#   - Bochs's TSC counts emulated instructions (clock: sync=none), so the
#     guest's tick counts repeat exactly from run to run.
#
# Options:
#   --goal N     ticks a measuring pass must reach (default 2000000)
#   --jobs N     Bochs boots at once (default 2)
#   --ops LIST   only these rows (comma-separated labels, see RUNS below)
#   --json FILE  where to write the figures (default build/bench.json)
#   --no-sched   skip the scheduler benchmark
#   -h, --help   this help
set -euo pipefail

prog=${0##*/}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$root/build/bench
kernel=$root/build/tern.elf
guest=$root/build/guest/bench.elf

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }
die() { echo "$prog: $*" >&2; exit 1; }

goal=2000000
jobs=2
only=""
json=$root/build/bench.json
sched=1
while [[ $# -gt 0 ]]; do
    case $1 in
        --goal) [[ $# -ge 2 && $2 =~ ^[1-9][0-9]*$ ]] || die "--goal needs a number"; goal=$2; shift 2 ;;
        --jobs|-j) [[ $# -ge 2 && $2 =~ ^[1-9][0-9]*$ ]] || die "--jobs needs a number"; jobs=$2; shift 2 ;;
        --ops) [[ $# -ge 2 ]] || die "--ops needs a list"; only=$2; shift 2 ;;
        --json) [[ $# -ge 2 ]] || die "--json needs a file"; json=$2; shift 2 ;;
        --no-sched) sched=0; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "$prog: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
done
[[ -f $kernel ]] || die "$kernel missing (make)"
[[ -f $guest ]] || die "$guest missing (make guests)"
case $json in /*) ;; *) json=$PWD/$json ;; esac

start=$SECONDS

# Address of a read-only object of Tern's (the exit-handler table), for
# the hypervisor-watchpoint row: a write watchpoint that never fires but
# keeps DR7 armed on the host.
syms=$(nm "$kernel")
watch_addr=$(awk '$2 == "r" && $3 == "handlers" { sub(/^0+/, "", $1); print "0x" $1 }' <<<"$syms" | head -n 1)
[[ -n $watch_addr ]] || die "no symbol 'handlers' in $kernel for the watchpoint row"

# --- what runs ------------------------------------------------------------
# label  guest-op  bochs-cpus  vm-keys  tern-cmdline  needs-apic
RUNS=(
    "nop             nop            1 -                -                         0"
    "cpuid           cpuid          1 -                -                         0"
    "vmcall          vmcall         1 -                -                         0"
    "out80           out80          1 -                -                         0"
    "in80            in80           1 -                -                         0"
    "dr7-cold        dr7-cold       1 -                -                         0"
    "dr7-read        dr7-read       1 -                -                         0"
    "dr0-write       dr0-write      1 -                -                         0"
    "cpuid-drloaded  cpuid-drloaded 1 -                -                         0"
    "cpuid-dr6dirty  cpuid-dr6dirty 1 -                -                         0"
    "cpuid-dr7armed  cpuid-dr7armed 1 -                -                         0"
    "cpuid-hostwatch cpuid          1 -                watch=w:$watch_addr/8     0"
    "hlt-timer       hlt-timer      1 -                -                         1"
    "ipi             ipi            2 cpus=2,pin=0-1   -                         1"
    "switch          switch         1 cpus=2,pin=0     -                         1"
)

selected() {  # LABEL
    [[ -z $only ]] && return 0
    [[ ,$only, == *,$1,* ]]
}

mkdir -p "$out/runs"

# boot LABEL KIND(run|dry) OP CPUS VMKEYS TERNCMD: one Bochs boot; leaves
# DIR/serial.log and DIR/ok (or DIR/failed).
boot() {
    local label=$1 kind=$2 op=$3 cpus=$4 vmkeys=$5 terncmd=$6
    local dir=$out/runs/$label-$kind dry=0 spec
    [[ $kind == dry ]] && dry=1
    rm -rf "$dir"
    mkdir -p "$dir"
    spec="vm:name=bench"
    [[ $vmkeys == - ]] || spec+=",$vmkeys"
    spec+=",cmdline=\"ops=$op goal=$goal dry=$dry\""
    local mk=(-q -o "$dir/bench.iso" --kernel "$kernel" --module "$guest='$spec'")
    [[ $terncmd == - ]] || mk+=(--cmdline "$terncmd")
    if ! "$root/tools/mkiso" "${mk[@]}" >"$dir/mkiso.txt" 2>&1; then
        echo "mkiso failed" >"$dir/failed"
        return
    fi
    if "$root/run-bochs.sh" --iso "$dir/bench.iso" --cpus "$cpus" --timeout 300 \
        --log "$dir/serial.log" --quiet --workdir "$dir" >"$dir/run.txt" 2>&1 &&
        grep -aq "bench: done" "$dir/serial.log"; then
        : >"$dir/ok"
    else
        echo "Bochs run failed, see ${dir#"$root"/}" >"$dir/failed"
    fi
    rm -f "$dir/bench.iso"
}

# Runs the boots of the given rows, $jobs at a time.
run_rows() {
    local row label op cpus vmkeys terncmd apic kind running=0
    for row in "$@"; do
        read -r label op cpus vmkeys terncmd apic <<<"$row"
        for kind in run dry; do
            while [[ $running -ge $jobs ]]; do
                wait -n || true
                running=$((running - 1))
            done
            boot "$label" "$kind" "$op" "$cpus" "$vmkeys" "$terncmd" &
            running=$((running + 1))
        done
    done
    wait
}

plain=() apicrows=()
for row in "${RUNS[@]}"; do
    read -r label _ _ _ _ apic <<<"$row"
    selected "$label" || continue
    if [[ $apic == 1 ]]; then apicrows+=("$row"); else plain+=("$row"); fi
done
[[ ${#plain[@]} -gt 0 || ${#apicrows[@]} -gt 0 ]] || die "no row selected by --ops $only"

echo "bench: ${#plain[@]} + ${#apicrows[@]} operations, 2 Bochs boots each, $jobs at a time (goal $goal ticks)"
run_rows "${plain[@]}"

# The LAPIC rows only if the guest sees an APIC (CPUID.1:EDX[9]).
have_apic=1
if [[ ${#apicrows[@]} -gt 0 ]]; then
    probe=""
    for row in "${plain[@]}"; do
        read -r label _ <<<"$row"
        probe=$out/runs/$label-run/serial.log
        break
    done
    if [[ -z $probe ]]; then
        boot probe run nop 1 - -
        probe=$out/runs/probe-run/serial.log
    fi
    grep -aq "bench: start .*apic=1" "$probe" 2>/dev/null || have_apic=0
    if [[ $have_apic == 1 ]]; then
        run_rows "${apicrows[@]}"
    fi
fi

# --- parsing --------------------------------------------------------------
# parse DIR: "key value" lines: the guest's op line fields (g.KEY), the
# header (h.KEY), Tern's per-vCPU exits summed over vCPUs (exits, exit.N)
# and per-CPU DR counters summed over CPUs.
parse() {
    LC_ALL=C sed -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\r//g' "$1/serial.log" | awk '
        function kv(prefix, from,   i, p) {
            for (i = from; i <= NF; i++) {
                p = index($i, "=")
                if (p > 1) val[prefix substr($i, 1, p - 1)] = substr($i, p + 1)
            }
        }
        {
            for (s = 1; s <= NF; s++) if ($s == "bench:") break
            if (s <= NF && $(s + 1) == "start") kv("h.", s + 2)
            else if (s <= NF && $(s + 1) ~ /^op=/) {
                if ($0 ~ / n\/a \(/) { r = $0; sub(/.* n\/a \(/, "", r); sub(/\).*/, "", r); val["g.na"] = r }
                kv("g.", s + 1)
            }
        }
        /^result vm=bench vcpu=/ {
            for (i = 1; i <= NF; i++) {
                p = index($i, "=")
                k = substr($i, 1, p - 1)
                if (k == "exits" || k ~ /^exit\./) sum[k] += substr($i, p + 1)
            }
        }
        /^result cpu=/ {
            for (i = 1; i <= NF; i++) {
                p = index($i, "=")
                k = substr($i, 1, p - 1)
                if (k ~ /^dr_|^exits_with_dr_writes$|^watch_hits$/) sum[k] += substr($i, p + 1)
            }
        }
        END {
            for (k in val) print k, val[k]
            for (k in sum) print k, sum[k]
        }' | sort
}

# A failed boot fails its row (and make bench, at the end), not the table.
failed=0
row_failed() {  # LABEL: prints the reason if a boot of LABEL failed
    local kind d
    for kind in run dry; do
        d=$out/runs/$1-$kind
        if [[ -f $d/failed ]]; then
            echo "$kind boot: $(cat "$d/failed")"
            return 0
        fi
    done
    return 1
}

# One record per row: label then key=value pairs.
records=$out/records.txt
: >"$records"
for row in "${plain[@]}" "${apicrows[@]}"; do
    read -r label op cpus vmkeys terncmd apic <<<"$row"
    if [[ $apic == 1 && $have_apic == 0 ]]; then
        echo "$label na=no_virtual_LAPIC" >>"$records"
        continue
    fi
    if why=$(row_failed "$label"); then
        echo "$prog: $label: $why" >&2
        tail -n 12 "$out/runs/$label-run/serial.log" 2>/dev/null | sed 's/^/  | /' >&2
        echo "$label failed=${why// /_}" >>"$records"
        failed=1
        continue
    fi
    parse "$out/runs/$label-run" >"$out/runs/$label-run/parsed"
    parse "$out/runs/$label-dry" >"$out/runs/$label-dry/parsed"
    awk -v label="$label" -v cpus="$cpus" -v terncmd="$terncmd" '
        FNR == 1 { f++ }
        f == 1 { run[$1] = substr($0, length($1) + 2) }
        f == 2 { dry[$1] = substr($0, length($1) + 2) }
        END {
            printf "%s", label
            if ("g.na" in run) { gsub(/ /, "_", run["g.na"]); printf " na=%s\n", run["g.na"]; exit }
            printf " iters=%s total=%s ticks=%s base_ticks=%s ticks_per_op=%s base_per_op=%s net=%s",
                run["g.iters"], run["g.total"], run["g.ticks"], run["g.base_ticks"],
                run["g.ticks_per_op"], run["g.base_per_op"], run["g.net"]
            de = run["exits"] - dry["exits"]
            printf " exits=%d", de
            printf " exits_per_op=%.3f", (run["g.total"] > 0 ? de / run["g.total"] : 0)
            dr = run["dr_reads"] - dry["dr_reads"]
            dw = run["dr_writes"] - dry["dr_writes"]
            dx = run["exits_with_dr_writes"] - dry["exits_with_dr_writes"]
            printf " dr_reads=%d dr_writes=%d exits_with_dr_writes=%d", dr, dw, dx
            if (label == "dr7-cold" && de > 0)
                # The dry twin never hands the registers over, so its later
                # (printing) exits read no DR6 while the measuring run`s do:
                # only the write count is the access`s own.
                printf " dr_reads_per_exit=- dr_writes_per_exit=%.3f exit_path_writes_per_exit=%.3f", dw / de, dx / de
            else if (de > 0)
                printf " dr_reads_per_exit=%.3f dr_writes_per_exit=%.3f exit_path_writes_per_exit=%.3f", dr / de, dw / de, dx / de
            else
                printf " dr_reads_per_exit=- dr_writes_per_exit=- exit_path_writes_per_exit=-"
            # Exits per operation by basic exit reason.
            n = 0
            for (k in run) if (k ~ /^exit\./) keys[k] = 1
            for (k in dry) if (k ~ /^exit\./) keys[k] = 1
            nk = 0
            for (k in keys) { r = substr(k, 6) + 0; for (j = nk; j > 0 && rs[j] > r; j--) rs[j + 1] = rs[j]; rs[j + 1] = r; nk++ }
            reasons = ""
            for (j = 1; j <= nk; j++) {
                k = "exit." rs[j]
                d = run[k] - dry[k]
                if (d != 0) reasons = reasons sprintf("%s%s:%.3f", reasons == "" ? "" : ",", rs[j], d / run["g.total"])
            }
            printf " reasons=%s", reasons == "" ? "-" : reasons
            printf " bochs_cpus=%s watch=%s\n", cpus, terncmd == "-" ? 0 : 1
        }' "$out/runs/$label-run/parsed" "$out/runs/$label-dry/parsed" >>"$records"
done

# --- scheduler --------------------------------------------------------------
schedjson=$out/sched.json
if [[ $sched -eq 1 ]]; then
    echo "bench: scheduler (tools/bench-sched.sh, callgrind)"
    "$root/tools/bench-sched.sh" --json "$schedjson" >"$out/sched.txt" 2>&1 ||
        { cat "$out/sched.txt" >&2; die "tools/bench-sched.sh failed"; }
else
    : >"$schedjson"
fi

# --- table and JSON -------------------------------------------------------
field() {  # RECORD KEY
    awk -v k="$2" '{ for (i = 2; i <= NF; i++) { p = index($i, "="); if (substr($i, 1, p - 1) == k) { print substr($i, p + 1); exit } } }' <<<"$1"
}

echo
echo "VM exits in Bochs (ticks = emulated instructions; net = minus the same loop with a NOP)"
printf '%-16s %9s %10s %9s %10s %9s %9s %9s  %s\n' operation iters ticks/op native/op net/op \
    exits/op DRrd/exit DRwr/exit "exit reasons per op"
while read -r rec; do
    label=${rec%% *}
    na=$(field "$rec" na)
    if [[ -n $na ]]; then
        printf '%-16s n/a (%s)\n' "$label" "${na//_/ }"
        continue
    fi
    why=$(field "$rec" failed)
    if [[ -n $why ]]; then
        printf '%-16s FAILED (%s)\n' "$label" "${why//_/ }"
        continue
    fi
    printf '%-16s %9s %10s %9s %10s %9s %9s %9s  %s\n' "$label" "$(field "$rec" iters)" \
        "$(field "$rec" ticks_per_op)" "$(field "$rec" base_per_op)" "$(field "$rec" net)" \
        "$(field "$rec" exits_per_op)" "$(field "$rec" dr_reads_per_exit)" \
        "$(field "$rec" dr_writes_per_exit)" "$(field "$rec" reasons)"
done <"$records"

if [[ -s $schedjson ]]; then
    echo
    echo "Scheduler (hv/sched.c on the host, instructions per operation, callgrind)"
    awk -F'[:,}]' '
        { op = $2; gsub(/"/, "", op); n = $4; v[op, n] = $6; if (!(op in seen)) { seen[op] = 1; ops[++no] = op }
          if (!(n in sn)) { sn[n] = 1; ns[++nn] = n } }
        END {
            printf "%-16s", "operation"; for (j = 1; j <= nn; j++) printf " %10s", "n=" ns[j]; printf "\n"
            for (i = 1; i <= no; i++) { printf "%-16s", ops[i]; for (j = 1; j <= nn; j++) printf " %10s", v[ops[i], ns[j]]; printf "\n" }
        }' "$schedjson"
fi

# --- targets (docs/benchmarks.md) -------------------------------------------
# Each: name, the figure, the limit, and whether it is met. Rows that were
# not run (--ops) or are n/a are skipped.
targets=$out/targets.txt
: >"$targets"
val() {  # LABEL KEY: a record's field, empty if absent
    local rec
    rec=$(awk -v l="$1" '$1 == l' "$records")
    [[ -z $rec ]] || field "$rec" "$2"
}
# target NAME FIGURE LIMIT(<= this) UNIT
target() {
    [[ -n $2 && $2 != - ]] || return 0
    awk -v n="$1" -v f="$2" -v l="$3" -v u="$4" 'BEGIN {
        met = (f + 0 <= l + 0)
        printf "%s|%s|%s|%s|%s|%s\n", n, f, l, u, met ? "met" : "MISSED", met ? "" : sprintf("over by %g %s (%.0f%%)", f - l, u, 100 * (f - l) / (l ? l : 1))
    }' >>"$targets"
}
maxof() {  # KEY LABEL...: the largest value of KEY among the rows run
    local key=$1 m="" v
    shift
    for l in "$@"; do
        v=$(val "$l" "$key")
        [[ -n $v && $v != - ]] || continue
        if [[ -z $m ]] || awk -v a="$v" -v b="$m" 'BEGIN { exit !(a > b) }'; then m=$v; fi
    done
    echo "$m"
}
target "DR writes per exit, guest and host not using DRs" "$(maxof dr_writes_per_exit cpuid vmcall out80 in80)" 0 writes
target "DR writes per exit (exit path), guest DR state loaded" \
    "$(maxof exit_path_writes_per_exit cpuid-drloaded cpuid-dr6dirty cpuid-dr7armed)" 1 writes
entry=""
for l in cpuid-drloaded cpuid-dr6dirty cpuid-dr7armed; do
    w=$(val "$l" dr_writes_per_exit) x=$(val "$l" exit_path_writes_per_exit)
    [[ -n $w && $w != - ]] || continue
    e=$(awk -v w="$w" -v x="$x" 'BEGIN { printf "%.3f", w - x }')
    if [[ -z $entry ]] || awk -v a="$e" -v b="$entry" 'BEGIN { exit !(a > b) }'; then entry=$e; fi
done
target "DR writes per entry, guest DR state loaded" "$entry" 1 writes
target "extra MOV-DR exits per access after first use" "$(maxof exits_per_op dr7-read dr0-write)" 0 exits
target "DR writes per exit, host watchpoint armed, guest idle" "$(maxof dr_writes_per_exit cpuid-hostwatch)" 6 writes
target "CPUID exit round trip" "$(val cpuid net)" 200 ticks
if [[ -s $schedjson ]]; then
    ratio=$(awk -F'[:,}]' '$2 == "\"pick\"" && $4 == 16 { a = $6 } $2 == "\"pick\"" && $4 == 4096 { b = $6 }
        END { if (a > 0) printf "%.2f", b / a }' "$schedjson")
    target "scheduler pick-next cost, 4096 vs 16 vCPUs (ratio)" "$ratio" 2 x
fi

echo
echo "Targets"
awk -F'|' '{ printf "  %-6s %-56s %9s %-7s (limit %s)%s\n", $5, $1, $2, $4, $3, $6 == "" ? "" : ": " $6 }' "$targets"

# JSON: no wall-clock figures, so that two runs can be compared with diff.
{
    printf '{\n  "tool": "tools/bench.sh",\n  "goal_ticks": %s,\n' "$goal"
    printf '  "bochs": {"model": "corei7_skylake_x", "clock": "sync=none", "tick": "one emulated instruction"},\n'
    printf '  "operations": [\n'
    first=1
    while read -r rec; do
        [[ $first -eq 1 ]] || printf ',\n'
        first=0
        awk '{
            printf "    {\"op\": \"%s\"", $1
            for (i = 2; i <= NF; i++) {
                p = index($i, "="); k = substr($i, 1, p - 1); v = substr($i, p + 1)
                if (k == "na" || k == "failed") { gsub(/_/, " ", v); printf ", \"%s\": \"%s\"", k, v }
                else if (k == "reasons") {
                    printf ", \"exits_per_op_by_reason\": {"
                    if (v != "-") { n = split(v, r, ","); for (j = 1; j <= n; j++) { split(r[j], q, ":"); printf "%s\"%s\": %s", (j > 1 ? ", " : ""), q[1], q[2] } }
                    printf "}"
                }
                else if (v == "-") printf ", \"%s\": null", k
                else printf ", \"%s\": %s", k, v
            }
            printf "}"
        }' <<<"$rec"
    done <"$records"
    printf '\n  ],\n  "targets": [\n'
    awk -F'|' '{ printf "%s    {\"name\": \"%s\", \"measured\": %s, \"limit\": %s, \"unit\": \"%s\", \"met\": %s}",
        (NR > 1 ? ",\n" : ""), $1, $2, $3, $4, $5 == "met" ? "true" : "false" } END { if (NR) printf "\n" }' "$targets"
    printf '  ],\n  "scheduler": [\n'
    if [[ -s $schedjson ]]; then
        sed -e 's/^/    /' -e '$!s/$/,/' "$schedjson"
    fi
    printf '  ]\n}\n'
} >"$json"

echo
echo "bench: figures in ${json#"$root"/}; $((SECONDS - start)) s"
[[ $failed -eq 0 ]] || die "some Bochs runs failed (FAILED rows above)"
