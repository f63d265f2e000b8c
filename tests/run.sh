#!/usr/bin/env bash
# The one test entry point: unit tests, then end-to-end tests. `make check` builds and calls it.
#
#   tests/run.sh                      everything
#   tests/run.sh unit                 only the unit test binaries
#   tests/run.sh e2e                  only tests/e2e/test_*.sh
#   tests/run.sh e2e/test_backup.sh   one end-to-end script (also: tests/e2e/test_backup.sh, test_backup)
#   tests/run.sh unit/test_age        unit test binaries whose path under $UNIT_DIR contains "test_age"
#
# Environment: SAFEDUMP_BIN (default ./safedump), UNIT_DIR (default build/tests/unit), CI=true (a skip is a
# failure), UNIT_TIMEOUT / E2E_TIMEOUT (seconds per binary / script; defaults 600 / 1800), KEEP_TMP=1 (keep
# the e2e temporary directories).
#
# Each unit binary and e2e script prints "ok - NAME", "not ok - NAME: WHY" or "skip - NAME: REASON" lines;
# this script prints them with the binary's or script's name in front, keeps every log under tests/.tmp/,
# prints the tail of the log after a failure, and ends with exactly one line "N passed, N failed, N skipped".
# Exit status 0 only when nothing failed.
set -u -o pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

SAFEDUMP_BIN=${SAFEDUMP_BIN:-./safedump}
case $SAFEDUMP_BIN in /*) ;; *) SAFEDUMP_BIN=$top/${SAFEDUMP_BIN#./} ;; esac
UNIT_DIR=${UNIT_DIR:-build/tests/unit}
export SAFEDUMP_BIN UNIT_DIR
ci=false
[ "${CI:-}" = true ] && ci=true
# Sanitizer reports must fail the run: stop at the first UBSan finding, and print stacks.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1}

# Logs: tests/.tmp/ for ./safedump; a run of another binary (./safedump-san) keeps its own in tests/.tmp/NAME/,
# so that the CI's second run does not overwrite the first one's logs.
tmp=$top/tests/.tmp
flavour=$(basename "$SAFEDUMP_BIN")
[ "$flavour" = safedump ] || tmp=$tmp/$flavour
mkdir -p "$tmp"

passed=0 failed=0 skipped=0

# The results of the last `consume`: counts, and the last skip reason.
c_ok=0 c_fail=0 c_skip=0 c_rc=0

say() { printf '%s\n' "$*"; }

# tail_log FILE: the end of a log, indented, after a failure.
tail_log() {
    [ -s "$1" ] || return 0
    say "#   log: ${1#"$top"/}"
    tail -n "${TAIL_LINES:-20}" "$1" | cut -c1-300 | sed 's/^/#   | /'
}

# count_skip NAME REASON: a skip, or a failure under CI=true.
count_skip() {
    if $ci; then
        failed=$((failed + 1)) c_fail=$((c_fail + 1))
        say "not ok - $1 (skipped in CI: $2)"
    else
        skipped=$((skipped + 1)) c_skip=$((c_skip + 1))
        say "skip - $1: $2"
    fi
}

# consume PREFIX LOG TIMEOUT COMMENTS CMD...: run CMD, its stdout and stderr into LOG; count and print its
# case lines with PREFIX in front of each name, and its "#" comment lines when COMMENTS is true. Sets c_ok, c_fail, c_skip and c_rc.
consume() {
    local prefix=$1 log=$2 limit=$3 echo_comments=$4 line name reason rest
    shift 4
    c_ok=0 c_fail=0 c_skip=0 c_rc=0
    : >"$log"
    # The status comes through the same stream as the last line, so that it is read after all output.
    while IFS= read -r line; do
        case $line in
        "__run_sh_status="*)
            c_rc=${line#__run_sh_status=}
            ;;
        "ok - "*)
            passed=$((passed + 1)) c_ok=$((c_ok + 1))
            say "ok - $prefix${line#ok - }"
            ;;
        "not ok - "*)
            failed=$((failed + 1)) c_fail=$((c_fail + 1))
            say "not ok - $prefix${line#not ok - }"
            ;;
        "skip - "*)
            rest=${line#skip - }
            name=${rest%%: *} reason=${rest#*: }
            [ "$name" = "$rest" ] && reason=skipped
            count_skip "$prefix$name" "$reason"
            ;;
        "#"*)
            # the e2e harness's failure details; a unit binary's comments stay in its log
            if $echo_comments; then say "$line"; fi
            ;;
        esac
    done < <(
        # shellcheck disable=SC2094 # both streams append to the log, nothing reads it
        timeout -k 10 "$limit" "$@" > >(tee -a "$log") 2>>"$log"
        echo "__run_sh_status=$?"
    )
    # tee may still be writing; it is quick, and the log is for people
}

# ---------------------------------------------------------------------------------------------------------
# What to run

want_unit=false want_e2e=false unit_filter=() e2e_scripts=()
if [ $# -eq 0 ]; then
    want_unit=true want_e2e=true
fi
for arg in "$@"; do
    a=${arg#./}
    a=${a#tests/}
    case $a in
    unit | unit/) want_unit=true ;;
    e2e | e2e/) want_e2e=true ;;
    unit/*) want_unit=true unit_filter+=("${a#unit/}") ;;
    e2e/*) want_e2e=true e2e_scripts+=("tests/$a") ;;
    test_*.sh) want_e2e=true e2e_scripts+=("tests/e2e/$a") ;;
    test_*)
        if [ -f "tests/e2e/$a.sh" ]; then
            want_e2e=true e2e_scripts+=("tests/e2e/$a.sh")
        else
            want_unit=true unit_filter+=("$a")
        fi
        ;;
    -h | --help)
        sed -n '2,/^set -u/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "tests/run.sh: unknown selection '$arg' (try: unit, e2e, e2e/test_backup.sh)" >&2
        exit 2
        ;;
    esac
done
for s in "${e2e_scripts[@]}"; do
    if [ ! -f "$s" ]; then
        echo "tests/run.sh: no such test script '$s'" >&2
        exit 2
    fi
done

# ---------------------------------------------------------------------------------------------------------
# Unit tests

if $want_unit; then
    mkdir -p "$tmp/unit"

    # The age test vectors (C2SP CCTV) for the age unit tests, when their generator exists.
    if [ -f tests/data/age-vectors.js ]; then
        if ! command -v node >/dev/null 2>&1; then
            count_skip "age test vectors" "node is not installed (scripts/setup.sh installs it)"
        else
            rm -rf "$tmp/age-vectors"
            if node tests/data/age-vectors.js "$tmp/age-vectors" >"$tmp/age-vectors.log" 2>&1; then
                export AGE_VECTORS_DIR=$tmp/age-vectors
            else
                failed=$((failed + 1))
                say "not ok - age test vectors: node tests/data/age-vectors.js failed"
                tail_log "$tmp/age-vectors.log"
            fi
        fi
    fi

    bins=()
    if [ -d "$UNIT_DIR" ]; then
        while IFS= read -r b; do
            rel=${b#"$UNIT_DIR"/}
            if [ "${#unit_filter[@]}" -gt 0 ]; then
                match=false
                for f in "${unit_filter[@]}"; do
                    case $rel in *"$f"*) match=true ;; esac
                done
                $match || continue
            fi
            bins+=("$b")
        done < <(find "$UNIT_DIR" -type f -name 'test_*' -perm -u+x ! -name '*.*' | LC_ALL=C sort)
    fi
    if [ "${#bins[@]}" -eq 0 ]; then
        count_skip "unit" "no test binaries under $UNIT_DIR${unit_filter[*]:+ matching ${unit_filter[*]}} (run make unit)"
    fi
    for b in "${bins[@]}"; do
        rel=${b#"$UNIT_DIR"/}
        log=$tmp/unit/${rel//\//_}.log
        consume "$rel: " "$log" "${UNIT_TIMEOUT:-600}" false "$b"
        if [ "$c_rc" != 0 ] && [ "$c_fail" -eq 0 ]; then
            failed=$((failed + 1))
            case $c_rc in
            124 | 137) why="timed out after ${UNIT_TIMEOUT:-600}s" ;;
            *) why="exited $c_rc without a failed test (crash or sanitizer report)" ;;
            esac
            say "not ok - $rel: $why"
            tail_log "$log"
        elif [ "$c_fail" -gt 0 ]; then
            tail_log "$log"
        elif [ "$c_ok" -eq 0 ] && [ "$c_skip" -eq 0 ]; then
            failed=$((failed + 1))
            say "not ok - $rel: reported no tests"
            tail_log "$log"
        fi
    done
fi

# ---------------------------------------------------------------------------------------------------------
# End-to-end tests

if $want_e2e; then
    mkdir -p "$tmp/e2e"
    if [ "${#e2e_scripts[@]}" -eq 0 ]; then
        for s in tests/e2e/test_*.sh; do
            [ -f "$s" ] && e2e_scripts+=("$s")
        done
    fi
    if [ "${#e2e_scripts[@]}" -eq 0 ]; then
        count_skip "e2e" "no scripts tests/e2e/test_*.sh"
    fi
    for s in "${e2e_scripts[@]}"; do
        name=$(basename "$s" .sh)
        log=$tmp/e2e/$name.log
        touch "$log.start"
        consume "$name: " "$log" "${E2E_TIMEOUT:-1800}" true \
            env E2E_LOG_DIR="$tmp/e2e/$name" bash "$s"
        case $c_rc in
        0)
            if [ $((c_ok + c_fail + c_skip)) -eq 0 ]; then
                failed=$((failed + 1))
                say "not ok - $name: reported no cases"
                tail_log "$log"
            fi
            ;;
        77)
            # skipped as a whole: counted from its "skip" line, or once here
            [ $((c_ok + c_fail + c_skip)) -eq 0 ] && count_skip "$name" "skipped (exit 77)"
            ;;
        1)
            if [ "$c_fail" -eq 0 ]; then
                failed=$((failed + 1))
                say "not ok - $name: exited 1 without a failed case"
                tail_log "$log"
            fi
            ;;
        *)
            failed=$((failed + 1))
            case $c_rc in
            124 | 137) say "not ok - $name: timed out after ${E2E_TIMEOUT:-1800}s" ;;
            *) say "not ok - $name: exited $c_rc (the script itself failed)" ;;
            esac
            tail_log "$log"
            # the case that was running when the script died or hung
            last_case=$(find "$tmp/e2e/$name" -name '*.log' -newer "$log.start" 2>/dev/null | LC_ALL=C sort | tail -n 1)
            [ -n "$last_case" ] && tail_log "$last_case"
            ;;
        esac
    done
fi

say "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
