#!/usr/bin/env bash
# The demo: a throwaway PostgreSQL on loopback, a pgbench database, then
#     keygen → backup → list → verify (three levels) → restore into a new database → compare row counts table by table.
# Everything lives in temporary directories under /tmp that are removed at the end (KEEP_TMP=1 keeps them).
# Exits non-zero when a step fails or a count differs.
#
#   ./scripts/demo.sh                 installs what is missing (scripts/setup.sh), builds, runs
#   ./scripts/demo.sh --no-setup      only builds and runs (after scripts/setup.sh and make)
#   ./scripts/demo.sh --scale N       pgbench scale (default 5: 500 000 accounts)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

setup=true scale=5
while [ $# -gt 0 ]; do
    case $1 in
    --no-setup) setup=false ;;
    --scale) scale=${2:?--scale needs a number}; shift ;;
    -h | --help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "demo: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
    shift
done

if $setup; then
    echo "== installing what is missing (scripts/setup.sh)"
    scripts/setup.sh
fi
echo "== building"
make -s -j"$(nproc 2>/dev/null || echo 2)" safedump

# The harness gives us pg_start, the exit trap that stops the server and removes the temporary directories,
# and db_row_counts / db_fingerprint.
# shellcheck source=tests/e2e/lib.sh
. "$top/tests/e2e/lib.sh"

W=$E2E_WORK
KEY=$W/backup.key
REPO=$W/repository

# show CMD...: print the command as a user would type it, then run it.
show() {
    local shown=$*
    shown=${shown//$top\/safedump/safedump}
    printf '\n$ %s\n' "$shown"
    "$@"
}

step() { printf '\n== %s\n' "$*"; }

step "starting a throwaway PostgreSQL 15 on 127.0.0.1"
pg_start
echo "server: 127.0.0.1:$PGPORT, data in $PG_DIR"

step "loading pgbench at scale $scale into database 'demo'"
db_create demo
show pgbench -q -i -s "$scale" demo 2>&1 | grep -v -E '^(NOTICE|dropping|creating|generating|vacuuming|done)' || true

step "a key pair: the identity stays offline, the recipient goes to the backup host"
printf '\n$ safedump keygen -o %s\n' "$KEY"
REC=$("$top/safedump" keygen -o "$KEY")
echo "$REC"

step "backup: pg_dump → zstd → age → $REPO"
show "$top/safedump" backup --source "$(pg_url demo)" --repository "$REPO" --recipient "$REC"

step "list"
show "$top/safedump" list --repository "$REPO"

step "verify without the key (sizes and hashes), then with it (decrypt, decompress, recount)"
show "$top/safedump" verify demo@latest --repository "$REPO"
show "$top/safedump" verify demo@latest --repository "$REPO" --identity "$KEY"

step "restore test: a scratch PostgreSQL started for the test, row counts compared, then removed"
show "$top/safedump" verify demo@latest --repository "$REPO" --identity "$KEY" --restore

step "restore into a new database 'demo_restored'"
show "$top/safedump" restore demo@latest --repository "$REPO" --identity "$KEY" --to "$(pg_url demo_restored)"

step "comparing row counts, table by table"
db_row_counts demo >"$W/counts.src"
db_row_counts demo_restored >"$W/counts.dst"
mismatch=0
printf '%-32s %12s %12s  %s\n' TABLE SOURCE RESTORED ""
while read -r table count; do
    restored=$(awk -v t="$table" '$1 == t { print $2 }' "$W/counts.dst")
    if [ "$restored" = "$count" ]; then
        mark=ok
    else
        mark=MISMATCH mismatch=1
    fi
    printf '%-32s %12s %12s  %s\n' "$table" "$count" "${restored:-missing}" "$mark"
done <"$W/counts.src"
if [ "$(wc -l <"$W/counts.dst")" != "$(wc -l <"$W/counts.src")" ]; then
    echo "the restored database has $(wc -l <"$W/counts.dst") tables, the source $(wc -l <"$W/counts.src")"
    mismatch=1
fi

step "comparing contents (a checksum of every row of every table, sequences, schema)"
db_fingerprint demo >"$W/fp.src"
db_fingerprint demo_restored >"$W/fp.dst"
if cmp -s "$W/fp.src" "$W/fp.dst"; then
    echo "identical: $(grep -c '^table' "$W/fp.src") tables, $(grep -c '^sequence' "$W/fp.src") sequences"
else
    diff "$W/fp.src" "$W/fp.dst" | head -n 20
    mismatch=1
fi

step "cleaning up (the server stops and the temporary directories go when this script exits)"
if [ "$mismatch" = 0 ]; then
    echo "demo: the restored database equals the source"
    exit 0
fi
echo "demo: the restored database DIFFERS from the source" >&2
exit 1
