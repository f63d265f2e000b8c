#!/usr/bin/env bash
# The test command (README, and .ci/run calls exactly this). Installs what is missing, builds with
# warnings as errors under gcc and clang, checks that each header compiles alone and the formatting,
# then runs the whole suite twice: once normally and once with ASan+UBSan. Ends with one line
# "N passed, N failed, N skipped" over everything; exit 0 only when nothing failed.
set -u -o pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

passed=0 failed=0 skipped=0
log=$top/tests/.tmp
mkdir -p "$log"

step() { # step NAME CMD...: a build check counted as one test case
    local name=$1
    shift
    if "$@" >"$log/$name.log" 2>&1; then
        passed=$((passed + 1))
        echo "ok - $name"
    else
        failed=$((failed + 1))
        echo "not ok - $name"
        tail -n 30 "$log/$name.log" | sed 's/^/#   | /'
    fi
}

suite() { # suite NAME ENV...: tests/run.sh with ENV, its closing counts added to ours
    local name=$1 last p f s
    shift
    env "$@" tests/run.sh | tee "$log/$name.out"
    last=$(tail -n 1 "$log/$name.out")
    if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed(,\ ([0-9]+)\ skipped)?$ ]]; then
        p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]} s=${BASH_REMATCH[4]:-0}
        passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
    else
        failed=$((failed + 1))
        echo "not ok - $name: tests/run.sh ended without its count line"
    fi
}

if ! scripts/setup.sh >"$log/setup.log" 2>&1; then
    cat "$log/setup.log"
    echo "not ok - setup"
    echo "0 passed, 1 failed"
    exit 1
fi
jobs=$(nproc 2>/dev/null || echo 2)
step build-gcc-werror make -j"$jobs" WERROR=1 all unit
step build-clang-werror make -j"$jobs" WERROR=1 CC=clang BUILD=build-clang build-clang/libsafedump.a build-clang/src/main.o
step headers-compile-alone make headers
step clang-format make format-check
step build-asan-ubsan make -j"$jobs" SAN=1 WERROR=1 all unit
step build-fuzzers make -j"$jobs" FUZZ=1 WERROR=1 fuzz

# Fuzz runs of the parsers (libFuzzer with ASan+UBSan), each from its seed corpus, copied so that the corpus
# in the repository does not change. A fixed seed and run count make the gate repeatable: a run that passed
# here passes in CI. Explore longer by hand: FUZZ_RUNS=-1 with -max_total_time, or another FUZZ_SEED.
# A crash, leak or sanitizer report fails the step.
fuzz_run() {
    local name=$1 dir=$log/fuzz-corpus-$1
    rm -rf "$dir" && mkdir -p "$dir" && cp tests/fuzz/corpus/"$name"/* "$dir"/ &&
        { [ "$name" != pgcount ] || cp tests/data/pg/custom.dump tests/data/pg/plain.sql "$dir"/; } &&
        build-fuzz/tests/fuzz/fuzz_"$name" -seed="${FUZZ_SEED:-1}" -runs="${FUZZ_RUNS:-50000}" -rss_limit_mb=2048 \
            "$dir"
}
for f in age pgcount manifest share; do
    step "fuzz-$f" fuzz_run "$f"
done

suite normal SAFEDUMP_BIN=./safedump UNIT_DIR=build/tests/unit
suite asan-ubsan SAFEDUMP_BIN=./safedump-san UNIT_DIR=build-san/tests/unit

if [ "${CI:-}" = true ] && [ "$skipped" -gt 0 ]; then
    failed=$((failed + skipped)) skipped=0
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
