#!/usr/bin/env bash
# Benchmark: safedump against the pipelines people write by hand, on one pgbench database in one run.
#
#   bench/bench.sh [--scale N] [--repeat N] [--keep]
#
#   --scale N    pgbench scale of the database (default 50: 5 million accounts, about 640 MiB of dump)
#   --repeat N   run every measurement N times and report the median of each figure (default 1)
#   --keep       keep the outputs and the repository in bench/.work/ (by default only the results stay)
#
# Backups, each from the same database:
#   pg_dump -Fc -Z0 > /dev/null                                   the baseline: the dump alone
#   pg_dump -Fc -Z0 | zstd -3 -T0 | age -r R > out
#   pg_dump (plain SQL, as the cron scripts do) | gzip -9 | gpg --batch --trust-model always -e -r FPR > out   (throwaway GNUPGHOME)
#   safedump backup --compression zstd:3 ...
# Restores, to /dev/null:
#   age -d -i key out | zstd -d;  gpg -d out | gunzip;  safedump restore JOB@latest --to -
#
# For each: wall seconds, CPU seconds (user + system of every process of the pipeline: /usr/bin/time on a
# `bash -c` wrapper counts the children), peak RSS (the largest process of the pipeline; for safedump backup
# its own peak, sampled from /proc every 50 ms, with the largest of it and its pg_dump beside it; restore
# --to - has no children, so its figure is its own), and the output size. Then the same
# figures as ratios to the baseline. Results go to bench/.work/results-TIME.{txt,tsv}.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

scale=50 repeat=1 keep_files=false
while [ $# -gt 0 ]; do
    case $1 in
    --scale) scale=${2:?--scale needs a number}; shift ;;
    --repeat) repeat=${2:?--repeat needs a number}; shift ;;
    --keep) keep_files=true ;;
    -h | --help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
    shift
done
[[ $scale =~ ^[1-9][0-9]*$ ]] || { echo "bench: --scale needs a positive number" >&2; exit 2; }
[[ $repeat =~ ^[1-9][0-9]*$ ]] || { echo "bench: --repeat needs a positive number" >&2; exit 2; }

SAFEDUMP=${SAFEDUMP_BIN:-$top/safedump}
for t in /usr/bin/time pg_dump pgbench zstd age age-keygen gpg gzip; do
    command -v "$t" >/dev/null 2>&1 || { echo "bench: '$t' is missing (scripts/setup.sh installs it)" >&2; exit 1; }
done
[ -x "$SAFEDUMP" ] || { echo "bench: '$SAFEDUMP' is missing (run make)" >&2; exit 1; }

# pg_start and the exit trap (server stopped, temporary directories removed) come from the test harness.
# shellcheck source=tests/e2e/lib.sh
. "$top/tests/e2e/lib.sh"

work=$top/bench/.work
stamp=$(date -u +%Y%m%dT%H%M%SZ)
run_dir=$work/run-$stamp
mkdir -p "$run_dir"
chmod 700 "$run_dir"
results_txt=$work/results-$stamp.txt
results_tsv=$work/results-$stamp.tsv
gnupg=$E2E_WORK/gnupg
cleanup_bench() {
    [ -d "$gnupg" ] && GNUPGHOME=$gnupg gpgconf --kill all >/dev/null 2>&1
    $keep_files || rm -rf "$run_dir"
    return 0
}
# shellcheck disable=SC2154 # st is assigned in the trap itself
trap 'st=$?; set +e; cleanup_bench; (exit "$st"); _e2e_cleanup' EXIT

log() { printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2; }

# ---------------------------------------------------------------------------------------------------------
log "starting PostgreSQL and loading pgbench at scale $scale"
pg_start
db_create bench
pgbench -q -i -s "$scale" bench >"$run_dir/pgbench.log" 2>&1 || { cat "$run_dir/pgbench.log" >&2; exit 1; }
psql_q bench "CHECKPOINT" >/dev/null
URL=$(pg_url bench)

log "keys: age and a throwaway OpenPGP key"
age-keygen -o "$run_dir/age.key" 2>/dev/null
AGE_REC=$(age-keygen -y "$run_dir/age.key")
mkdir -p "$gnupg" && chmod 700 "$gnupg"
export GNUPGHOME=$gnupg
gpg --batch --quiet --passphrase '' --quick-gen-key 'Bench <bench@test.invalid>' ed25519 cert never 2>/dev/null
FPR=$(gpg --batch --with-colons --list-keys 2>/dev/null | awk -F: '/^fpr/ { print $10; exit }')
gpg --batch --quiet --passphrase '' --quick-add-key "$FPR" cv25519 encr never 2>/dev/null

# A first dump warms the caches for everyone and gives the size of the uncompressed archive.
log "warm-up dump"
raw_size=$(pg_dump -Fc -Z0 bench | wc -c)

# ---------------------------------------------------------------------------------------------------------
# Measurements

names=() kinds=()
declare -A WALL CPU RSS RSS_TREE SIZE

# add NAME VALUE-ARRAY-NAME VALUE: append one run's value to a space-separated list.
add() { local -n m=$1; m[$2]="${m[$2]:-} $3"; }

# median LIST: the median of space-separated numbers.
median() {
    case " $* " in *" - "*) echo -; return ;; esac
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

register() {
    local n
    for n in "${names[@]}"; do [ "$n" = "$1" ] && return 0; done
    names+=("$1")
    kinds+=("$2")
}

# measure NAME KIND OUTPUT OWN CMD...: run CMD once under /usr/bin/time. OWN=1: CMD is one program whose own
# peak RSS is sampled from /proc (its children are in the time figure, RSS_TREE). OUTPUT: a file whose
# size is the output size, or "-".
measure() {
    local name=$1 kind=$2 output=$3 own=$4 tf=$run_dir/time.txt tpid cpid='' hwm=0 k v _ status
    shift 4
    register "$name" "$kind"
    if [ -f "$output" ]; then rm -f "$output"; fi
    /usr/bin/time -f '%e %U %S %M' -o "$tf" "$@" >"$run_dir/stdout.txt" 2>"$run_dir/stderr.txt" &
    tpid=$!
    if [ "$own" = 1 ]; then
        while kill -0 "$tpid" 2>/dev/null; do
            [ -n "$cpid" ] || cpid=$(pgrep -P "$tpid" 2>/dev/null | head -n 1 || true)
            if [ -n "$cpid" ] && [ -r "/proc/$cpid/status" ]; then
                while read -r k v _; do
                    if [ "$k" = VmHWM: ] && [ "$v" -gt "$hwm" ]; then hwm=$v; fi
                done <"/proc/$cpid/status" 2>/dev/null || true
            fi
            sleep 0.05
        done
    fi
    status=0
    wait "$tpid" || status=$?
    if [ "$status" != 0 ]; then
        echo "bench: '$name' failed (exit $status):" >&2
        cat "$tf" "$run_dir/stderr.txt" >&2 2>/dev/null || true
        exit 1
    fi
    read -r wall user sys maxrss < <(tail -n 1 "$tf")
    add WALL "$name" "$wall"
    add CPU "$name" "$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')"
    if [ "$own" = 1 ]; then
        add RSS "$name" "$hwm"
        add RSS_TREE "$name" "$maxrss"
    else
        add RSS "$name" "$maxrss"
    fi
    if [ "$output" = - ]; then
        add SIZE "$name" "-"
    elif [ -d "$output" ]; then
        add SIZE "$name" "$(find "$output" -type f -name 'data.*' -newer "$tf.start" -printf '%s\n' | tail -n 1)"
    else
        add SIZE "$name" "$(stat -c %s "$output")"
    fi
    log "$name: ${wall}s wall"
}

# q WORD: WORD quoted for the `bash -c` strings (a pipeline runs under bash so that /usr/bin/time counts
# every process of it).
q() { printf '%q' "$1"; }
AGE_OUT=$run_dir/out.zst.age
GPG_OUT=$run_dir/out.gz.gpg
REPO=$run_dir/repository
threads=$(nproc 2>/dev/null || echo 2)

for ((i = 1; i <= repeat; i++)); do
    log "round $i of $repeat: backups"
    touch "$run_dir/time.txt.start"
    measure "pg_dump -Fc -Z0 > /dev/null (baseline)" backup - 0 \
        bash -c "pg_dump -Fc -Z0 -d $(q "$URL") > /dev/null"
    measure "pg_dump -Z0 | zstd -3 -T0 | age" backup "$AGE_OUT" 0 \
        bash -c "set -o pipefail; pg_dump -Fc -Z0 -d $(q "$URL") | zstd -q -3 -T0 | age -r $(q "$AGE_REC") > $(q "$AGE_OUT")"
    measure "pg_dump | gzip -9 | gpg -e" backup "$GPG_OUT" 0 \
        bash -c "set -o pipefail; pg_dump -Fp -d $(q "$URL") | gzip -9 | gpg --batch --quiet --trust-model always -e -r $(q "$FPR") > $(q "$GPG_OUT")"
    [ "$i" -gt 1 ] && sleep 1 # a new backup ID
    touch "$run_dir/time.txt.start"
    measure "safedump backup --compression zstd:3" backup "$REPO" 1 \
        "$SAFEDUMP" backup --job bench --source "$URL" --repository "$REPO" --recipient "$AGE_REC" \
        --compression zstd:3 --threads "$threads"

    log "round $i of $repeat: restores"
    measure "age -d | zstd -d > /dev/null" restore - 0 \
        bash -c "set -o pipefail; age -d -i $(q "$run_dir/age.key") $(q "$AGE_OUT") | zstd -q -d > /dev/null"
    measure "gpg -d | gunzip > /dev/null" restore - 0 \
        bash -c "set -o pipefail; gpg --batch --quiet -d $(q "$GPG_OUT") 2>/dev/null | gunzip > /dev/null"
    # no child processes: the time figure is safedump's own peak RSS
    measure "safedump restore --to - > /dev/null" restore - 0 \
        bash -c "exec $(q "$SAFEDUMP") restore bench@latest --repository $(q "$REPO") --identity $(q "$run_dir/age.key") --to - > /dev/null"
done

# ---------------------------------------------------------------------------------------------------------
# Report

mib() { awk -v k="$1" 'BEGIN { if (k == "-" || k == "") print "-"; else printf "%.1f", k / 1024 }'; }
size_h() {
    awk -v b="$1" 'BEGIN { if (b == "-" || b == "") { print "-"; exit }
        split("B KiB MiB GiB", u); i = 1; while (b >= 1024 && i < 4) { b /= 1024; i++ }
        printf (i == 1 ? "%d %s" : "%.1f %s"), b, u[i] }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0 || a == "") print "-"; else printf "%.2f", a / b }'; }

base=${names[0]}
# shellcheck disable=SC2086 # the lists are space-separated on purpose
{
    b_wall=$(median ${WALL[$base]}) b_cpu=$(median ${CPU[$base]}) b_rss=$(median ${RSS[$base]})
    echo "safedump benchmark, $stamp"
    echo "database: pgbench scale $scale ($(size_h "$raw_size") as pg_dump -Fc -Z0), $threads CPUs, $repeat round(s), medians"
    echo "tools: $("$SAFEDUMP" --version 2>/dev/null | head -n 1); $(pg_dump --version); zstd $(zstd -V | grep -o 'v[0-9.]*' | head -n 1); age $(age --version); $(gpg --version | head -n 1)"
    echo
    printf '%-40s %9s %9s %18s %12s\n' "" "WALL s" "CPU s" "PEAK RSS MiB" "OUTPUT"
    for idx in "${!names[@]}"; do
        n=${names[$idx]}
        [ "$idx" -gt 0 ] && [ "${kinds[$idx]}" != "${kinds[$((idx - 1))]}" ] && echo
        rss=$(mib "$(median ${RSS[$n]})")
        [ -n "${RSS_TREE[$n]:-}" ] && rss="$rss (tree $(mib "$(median ${RSS_TREE[$n]})"))"
        out=$(size_h "$(median ${SIZE[$n]})")
        [ "$idx" = 0 ] && out="($(size_h "$raw_size"))"
        printf '%-40s %9s %9s %18s %12s\n' "$n" "$(median ${WALL[$n]})" "$(median ${CPU[$n]})" "$rss" "$out"
    done
    echo
    echo "as ratios to the baseline (pg_dump -Fc -Z0 > /dev/null):"
    printf '%-40s %9s %9s %18s %12s\n' "" "WALL" "CPU" "PEAK RSS" "OUTPUT"
    for idx in "${!names[@]}"; do
        n=${names[$idx]}
        [ "$idx" -gt 0 ] && [ "${kinds[$idx]}" != "${kinds[$((idx - 1))]}" ] && echo
        size=$(median ${SIZE[$n]})
        [ "$idx" = 0 ] && size=$raw_size
        printf '%-40s %9s %9s %18s %12s\n' "$n" "$(ratio "$(median ${WALL[$n]})" "$b_wall")" \
            "$(ratio "$(median ${CPU[$n]})" "$b_cpu")" "$(ratio "$(median ${RSS[$n]})" "$b_rss")" "$(ratio "$size" "$raw_size")"
    done
    echo
    echo "CPU: user + system of every process. PEAK RSS: the largest process of a pipeline; for safedump backup its"
    echo "own peak, sampled (tree: the largest of safedump and its pg_dump). OUTPUT: the stored object; restores"
    echo "write to /dev/null."
} | tee "$results_txt"

{
    printf 'name\tkind\twall_s\tcpu_s\tpeak_rss_kib\ttree_rss_kib\toutput_bytes\truns_wall\n'
    for idx in "${!names[@]}"; do
        n=${names[$idx]}
        # shellcheck disable=SC2086
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "${kinds[$idx]}" "$(median ${WALL[$n]})" "$(median ${CPU[$n]})" \
            "$(median ${RSS[$n]})" "$(median ${RSS_TREE[$n]:-})" "$(median ${SIZE[$n]})" "${WALL[$n]# }"
    done
} >"$results_tsv"
log "results: ${results_txt#"$top"/} and ${results_tsv#"$top"/}"
