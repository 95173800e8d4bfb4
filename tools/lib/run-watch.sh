# tools/lib/run-watch.sh: the watch-and-judge part of run-bochs.sh and
# run-qemu.sh. While the emulator runs, show its serial log live, stop it
# early on a PANIC line or when it lingers after "tern: power off"; then
# judge the run by the log. Source it from a runner using set -euo pipefail.
#
# The caller sets:
#   prog          name for messages
#   log           the serial log (COM1), written by the emulator
#   quiet         1: no live echo of the log and no "ok" line
#   panic_grace   seconds to let the emulator run after a PANIC line, or "off"
#   timeout_s     the limit the emulator runs under (timeout(1), with -k)
#   start         $SECONDS just before the emulator was started
#   emu_pid       the pid of the emulator's timeout(1), started in the background
#
# and calls, in this order:
#   watch_traps SIG   (before starting the emulator) on SIGINT/SIGTERM, stop
#                     the emulator with kill -SIG and the echo, exit 130/143;
#                     SIG also stops the emulator early (see watch_emulator)
#   watch_echo        unless quiet: echo the log as it grows (escape
#                     sequences and CRs removed) until emu_pid ends
#   watch_emulator    wait for the end, stopping the emulator 'panic_grace' s
#                     after a PANIC line or 10 s after "tern: power off";
#                     report a stop or a timeout. Exits 0 (with an "ok" line
#                     unless quiet) if the log has "tern: power off". Else
#                     returns with: status (timeout(1)'s exit status),
#                     stopped (why it was stopped early, or empty), elapsed (s)
#   watch_exited      (after a failed run) true if the emulator ended by
#                     itself: not stopped early, no timeout
#   watch_fail        the final "no 'tern: power off'" line; exits 1
# In between, the runner may explain the failure in its own terms.

# shellcheck shell=bash disable=SC2154  # the variables the caller sets (above)

emu_pid=""
tail_pid=""
watch_signal=TERM
status=0
stopped=""
elapsed=0

# shellcheck disable=SC2317  # called from the traps
watch_stop_children() {
    [[ -z $emu_pid ]] || kill -s "$watch_signal" "$emu_pid" 2>/dev/null || true
    [[ -z $tail_pid ]] || kill "$tail_pid" 2>/dev/null || true
}

watch_traps() {  # SIG
    watch_signal=$1
    trap 'watch_stop_children; exit 130' INT
    trap 'watch_stop_children; exit 143' TERM
}

watch_echo() {
    [[ $quiet -eq 0 ]] || return 0
    tail -n +1 -s 0.2 -f --pid="$emu_pid" "$log" |
        LC_ALL=C sed -u -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1b[()][A-Z0-9]//g' -e 's/\r//g' &
    tail_pid=$!
}

watch_emulator() {
    # A line starting with PANIC (after any escape sequences) / the power-off line.
    local panic_re=$'^(\e\\[[0-9;?]*[A-Za-z]|\r)*PANIC'
    local panic_at="" off_at="" now
    stopped=""
    while kill -0 "$emu_pid"; do
        sleep 0.2
        now=$SECONDS
        if [[ -z $panic_at && $panic_grace != off ]] && grep -qaE -m1 "$panic_re" "$log"; then
            panic_at=$now
        fi
        if [[ -z $off_at ]] && grep -qaF -m1 'tern: power off' "$log"; then
            off_at=$now
        fi
        if [[ -n $panic_at ]] && (( now - panic_at >= panic_grace )); then
            stopped="stopped ${panic_grace} s after a PANIC line"
        elif [[ -n $off_at ]] && (( now - off_at >= 10 )); then
            stopped="stopped: still running 10 s after 'tern: power off'"
        fi
        if [[ -n $stopped ]]; then
            kill -s "$watch_signal" "$emu_pid" || true
            break
        fi
    done 2>/dev/null  # also hides bash's "Killed" notice if -k had to act
    status=0
    wait "$emu_pid" 2>/dev/null || status=$?
    emu_pid=""
    if [[ -n $tail_pid ]]; then
        wait "$tail_pid" 2>/dev/null || true
        tail_pid=""
    fi
    elapsed=$((SECONDS - start))

    # The kernel's last line may lack its newline when the emulator quits
    # right away.
    [[ $quiet -eq 1 || ! -s $log || $(tail -c1 "$log" | od -An -c) == *'\n'* ]] || echo

    if [[ -n $stopped ]]; then
        echo "$prog: $stopped" >&2
    elif [[ $status -eq 124 || $status -eq 137 ]]; then
        echo "$prog: timed out after $timeout_s s" >&2
    fi

    if grep -qaF 'tern: power off' "$log"; then
        [[ $quiet -eq 1 ]] || echo "$prog: ok ($elapsed s, serial log: $log)" >&2
        exit 0
    fi
    return 0
}

watch_exited() {
    [[ -z $stopped && $status -ne 124 && $status -ne 137 ]]
}

watch_fail() {
    echo "$prog: no 'tern: power off' in $log ($elapsed s)" >&2
    exit 1
}
