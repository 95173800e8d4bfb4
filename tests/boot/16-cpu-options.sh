#!/usr/bin/env bash
# maxcpus= and nosmp limit the CPUs Tern starts (QEMU TCG, 4 CPUs; the
# CPU bring-up does not need VMX).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

test_init cpu-options
for opt in "" "maxcpus=2" "nosmp"; do
    name=${opt:-all}
    iso="$T_DIR/$name.iso"
    make_test_iso "$iso" ${opt:+--cmdline "$opt"}
    log="$T_DIR/$name.log"
    run_logged "$T_DIR/$name.txt" "$ROOT/run-qemu.sh" --quiet --iso "$iso" --cpus 4 \
        --accel tcg --timeout 60 --workdir "$T_DIR/$name" --log "$log"
    check "$name-found" "did not find the 4 CPUs" expect_line "$log" 'cpus: 4 found'
    case $name in
        all) want=4 ;;
        maxcpus=2) want=2
            check "$name-says" "no 'using 2 of 4'" expect_line "$log" 'cpus: using 2 of 4 \(maxcpus=\)' ;;
        nosmp) want=1
            check "$name-says" "no 'using 1 of 4'" expect_line "$log" 'cpus: using 1 of 4 \(nosmp\)' ;;
    esac
    if [[ $want -gt 1 ]]; then
        check "$name-online" "not $want CPUs online" expect_line "$log" "cpus: $want online"
    else
        check "$name-online" "an AP was started despite nosmp" expect_no_line "$log" 'cpus: [0-9]+ online'
    fi
    check_clean_run "$log" "$T_DIR/$name.txt"
done
finish
