#!/usr/bin/env bash
# End to end: proven backups. Three verify levels on a good backup; each tampering caught with its exact
# reason; restore tests against a scratch server and a configured target; restore without harm.
# Run with tests/run.sh e2e/test_verify.sh (or directly with bash).
# shellcheck source=tests/e2e/lib.sh disable=SC2034,SC2317 # WHY is read by lib.sh; cases run through tcase
. "$(dirname "$0")/lib.sh"

need age zstd psql pg_dump pg_restore pgbench python3 initdb systemd-analyze
need_safedump

BASE=$E2E_WORK/base-repo
K=$E2E_WORK/key.txt
CONF=$E2E_WORK/safedump.conf
REC='' ID1='' ID2='' URL=''

backup_id() {
    sed -n "s/^backup '$1' \([0-9]\{8\}T[0-9]\{6\}Z\).*/\1/p" "$OUT" | head -n 1
}

# fresh NAME: a copy of the base repository to tamper with; prints its path.
fresh() {
    rm -rf "${E2E_WORK:?}/$1"
    cp -a "$BASE" "$E2E_WORK/$1"
    echo "$E2E_WORK/$1"
}

# expect_bad REPO SPEC REASON [ARGS...]: verify SPEC exits 4 and stdout names REASON.
expect_bad() {
    local repo=$1 spec=$2 reason=$3
    shift 3
    expect_exit 4 "$SAFEDUMP" verify "$spec" --repository "$repo" "$@" || return
    expect_stdout_contains "BAD" || return
    expect_stdout_contains "$reason" || return
}

t_setup() {
    pg_start || { WHY="PostgreSQL did not start"; return 1; }
    db_load_awkward srcdb || { WHY="could not load the awkward database"; return 1; }
    psql_q srcdb "CREATE TABLE public.extra (i int); INSERT INTO public.extra SELECT generate_series(1, 42)" ||
        why "could not add the extra table" || return
    URL=$(pg_url srcdb)
    expect_exit 0 "$SAFEDUMP" keygen -o "$K" || return
    REC=$(head -n 1 "$OUT")
    expect_exit 0 "$SAFEDUMP" backup --job vj --source "$URL" --repository "$BASE" --recipient "$REC" || return
    ID1=$(backup_id vj)
    sleep 1
    # the second backup silently lacks a table: its own recorded counts agree with it
    expect_exit 0 "$SAFEDUMP" backup --job vj --source "$URL" --repository "$BASE" --recipient "$REC" \
        --pg-dump-arg=--exclude-table=public.extra || return
    ID2=$(backup_id vj)
    [ -n "$ID1" ] && [ -n "$ID2" ] && [ "$ID1" != "$ID2" ] || why "no two backup ids: '$ID1' '$ID2'" || return
    cat >"$CONF" <<CONF
[defaults]
repository = $BASE
[vj]
source = $URL
restore_test_sql = SELECT count(*) = 42 FROM public.extra
CONF
}

t_good_all_levels() {
    expect_exit 0 "$SAFEDUMP" verify "vj@$ID1" --repository "$BASE" || return
    expect_stdout_contains "vj@$ID1 ok: integrity" || return
    expect_exit 0 "$SAFEDUMP" verify "vj@$ID1" --repository "$BASE" --identity "$K" || return
    expect_stdout_contains "vj@$ID1 ok: content" || return
    # level 3 against a scratch server that safedump starts (and stops) itself
    # a private TMPDIR (reachable by the postgres user, as a scratch server run by root needs) shows what is left
    local scratch
    scratch=$(mktemp -d /tmp/sdrt.XXXXXX) && chmod 755 "$scratch" || why "mktemp" || return
    TMPDIR=$scratch expect_exit 0 "$SAFEDUMP" --config "$CONF" verify "vj@$ID1" --identity "$K" --restore || return
    expect_stdout_contains "vj@$ID1 ok: restore test" || return
    [ -z "$(ls -A "$scratch")" ] || why "the scratch server's directory was left behind: $(ls -A "$scratch")" || return
    rmdir "$scratch"
    # level 3 against a configured server: the scratch database is dropped afterwards
    printf 'restore_test_target = %s\n' "$(pg_url postgres)" >>"$CONF"
    expect_exit 0 "$SAFEDUMP" --config "$CONF" verify "vj@$ID1" --identity "$K" --restore --json || return
    python3 - "$OUT" <<'PY' || why "verify --json: $(_e2e_show "$OUT")" || return
import json, sys
r = json.load(open(sys.argv[1]))
assert len(r) == 1 and r[0]["result"] == "ok" and r[0]["level"] == 3 and r[0]["check"] == "restore", r
assert r[0]["rows"] > 100000 and r[0]["restore_seconds"] > 0, r
PY
    [ "$(psql_q postgres "SELECT count(*) FROM pg_database WHERE datname LIKE 'safedump_%'")" = 0 ] ||
        why "a scratch database was left on the target server" || return
}

t_flipped_byte() {
    local r f
    r=$(fresh flip)
    f=$r/vj/$ID1/data.dump.zst.age
    python3 -c 'import sys; f = open(sys.argv[1], "r+b"); n = f.seek(0, 2) // 2; f.seek(n); b = f.read(1); f.seek(n); f.write(bytes([b[0] ^ 0x40]))' "$f"
    expect_bad "$r" "vj@$ID1" "stored object hash mismatch" || return
}

t_truncated() {
    local r f
    r=$(fresh trunc)
    f=$r/vj/$ID1/data.dump.zst.age
    truncate -s $(($(file_size "$f") / 2)) "$f"
    expect_bad "$r" "vj@$ID1" "size mismatch" || return
}

t_swapped_objects() {
    local r
    r=$(fresh swap)
    mv "$r/vj/$ID1/data.dump.zst.age" "$r/tmp.age"
    mv "$r/vj/$ID2/data.dump.zst.age" "$r/vj/$ID1/data.dump.zst.age"
    mv "$r/tmp.age" "$r/vj/$ID2/data.dump.zst.age"
    expect_bad "$r" "vj@all" "stored object size mismatch" || return
    [ "$(grep -c BAD "$OUT")" = 2 ] || why "both swapped backups must be bad: $(_e2e_show "$OUT")" || return
}

t_edited_manifest() {
    local r m
    r=$(fresh edit)
    m=$r/vj/$ID1/manifest.json
    # a consistent-looking edit the stored object does not match: level 1 catches it
    sed -i 's/"stored_bytes":\t\([0-9]*\)/"stored_bytes":\t1\1/' "$m"
    expect_bad "$r" "vj@$ID1" "size mismatch" || return
    # raw size is not checked at level 1 but is at level 2 through contents.age and the stream
    r=$(fresh edit2)
    m=$r/vj/$ID1/manifest.json
    sed -i 's/"recipients":\t\["age1[a-z0-9]*"\]/"recipients":\t["age1aaa", "age1bbb"]/' "$m"
    grep -q age1bbb "$m" || why "could not edit the manifest's recipients" || return
    expect_bad "$r" "vj@$ID1" "the manifest lists 2 recipients" || return
}

t_foreign_contents() {
    local r
    r=$(fresh contents)
    cp "$r/vj/$ID2/contents.age" "$r/vj/$ID1/contents.age"
    expect_exit 0 "$SAFEDUMP" verify "vj@$ID1" --repository "$r" || return # level 1 cannot see it
    expect_bad "$r" "vj@$ID1" "plaintext hash mismatch" --identity "$K" || return
}

t_restore_test_catches_missing_table() {
    # backup 2 lacks public.extra; give it backup 1's record (which has it): level 3 names the table
    local r
    r=$(fresh missing)
    cp "$r/vj/$ID1/contents.age" "$r/vj/$ID2/contents.age"
    sed "s|^repository = .*|repository = $r|" "$CONF" | grep -v '^restore_test_sql' >"$E2E_WORK/missing.conf"
    expect_exit 4 "$SAFEDUMP" --config "$E2E_WORK/missing.conf" verify "vj@$ID2" --identity "$K" --restore || return
    expect_stdout_contains "table public.extra: missing after restore" || return
}

t_restore_test_sql_false() {
    # backup 2 restores fine, but the check query (42 rows in public.extra) fails on it
    expect_exit 4 "$SAFEDUMP" --config "$CONF" verify "vj@$ID2" --identity "$K" --restore || return
    expect_stdout_contains "restore_test_sql failed" || return
    sed -i 's/^restore_test_sql = .*/restore_test_sql = SELECT false/' "$CONF"
    expect_exit 4 "$SAFEDUMP" --config "$CONF" verify "vj@$ID1" --identity "$K" --restore || return
    expect_stdout_contains "restore_test_sql returned false" || return
}

t_results_recorded() {
    local state=$E2E_WORK/state
    SAFEDUMP_STATE_DIR=$state expect_exit 0 "$SAFEDUMP" verify "vj@$ID1" --repository "$BASE" || return
    python3 - "$state/verify-vj.json" "$ID1" <<'PY' || why "verify result not recorded: $(cat "$state"/* 2>&1)" || return
import json, sys
r = json.load(open(sys.argv[1]))
assert r["job"] == "vj" and r["id"] == sys.argv[2] and r["result"] == "ok" and r["level"] == 1, r
PY
}

t_verify_metrics() {
    # verify results reach the Prometheus textfile: success per level, and a failed restore test as 0
    local m=$E2E_WORK/metrics f
    mkdir -p "$m"
    sed "s|^\[defaults\]|[defaults]\nmetrics_dir = $m|" "$CONF" >"$E2E_WORK/metrics.conf"
    expect_exit 0 "$SAFEDUMP" --config "$E2E_WORK/metrics.conf" verify "vj@$ID1" || return
    f=$m/safedump_verify_vj.prom
    grep -q '^safedump_last_verify_success{backup_job="vj",level="integrity"} 1$' "$f" ||
        why "no integrity success metric: $(cat "$f" 2>&1 | tr '\n' ' ')" || return
    sed -i 's/^restore_test_sql = .*/restore_test_sql = SELECT false/' "$E2E_WORK/metrics.conf"
    expect_exit 4 "$SAFEDUMP" --config "$E2E_WORK/metrics.conf" verify "vj@$ID1" --identity "$K" --restore || return
    grep -q '^safedump_last_verify_success{backup_job="vj",level="restore"} 0$' "$f" ||
        why "no failed restore metric: $(cat "$f" | tr '\n' ' ')" || return
    grep -q '^safedump_last_verify_success{backup_job="vj",level="integrity"} 1$' "$f" ||
        why "the integrity result was lost when the restore result was written" || return
}

t_restore_without_harm() {
    local before after
    db_create target || why "could not create the target database" || return
    psql_q target "CREATE TABLE keep (x int); INSERT INTO keep VALUES (7)" || why "could not fill the target" || return
    # an existing target is refused without --replace
    expect_exit 1 "$SAFEDUMP" restore "vj@$ID1" --repository "$BASE" --identity "$K" --to "$(pg_url target)" || return
    expect_stderr_contains "database 'target' already exists" || return
    # an interrupted restore leaves it as it was: pg_restore is slowed down so that SIGTERM lands mid-restore
    local slow=$E2E_WORK/slow pid rc
    mkdir -p "$slow"
    printf '#!/bin/sh\nsleep 3\nexec %s "$@"\n' "$PGBIN/pg_restore" >"$slow/pg_restore"
    chmod +x "$slow/pg_restore"
    PATH=$slow:$PATH "$SAFEDUMP" restore "vj@$ID1" --repository "$BASE" --identity "$K" --to "$(pg_url target)" \
        --replace >"$OUT" 2>"$ERR" &
    pid=$!
    sleep 1
    kill -TERM "$pid"
    rc=0
    wait "$pid" || rc=$?
    [ "$rc" = 1 ] || why "interrupted restore exited $rc, expected 1: $(_e2e_show "$ERR")" || return
    [ "$(psql_q target "SELECT x FROM keep")" = 7 ] || why "the target changed after an interrupted restore" || return
    [ "$(psql_q postgres "SELECT count(*) FROM pg_database WHERE datname LIKE 'safedump_restore_%'")" = 0 ] ||
        why "the temporary database was left behind" || return
    # with --replace, a successful restore swaps the database in
    expect_exit 0 "$SAFEDUMP" restore "vj@$ID1" --repository "$BASE" --identity "$K" --to "$(pg_url target)" \
        --replace || return
    [ "$(psql_q target "SELECT count(*) FROM public.extra")" = 42 ] || why "the restored target lacks its data" || return
    ! psql_q target "SELECT 1 FROM keep" >/dev/null 2>&1 || why "the old target's table survived --replace" || return
}

t_units() {
    # the shipped systemd units and timers are valid (the binary path pointed at the one under test)
    local d=$E2E_WORK/units
    mkdir -p "$d"
    cp "$E2E_TOP"/contrib/systemd/* "$d/"
    sed -i "s|/usr/local/bin/safedump|$SAFEDUMP|" "$d"/*.service
    expect_exit 0 systemd-analyze verify "$d"/*.service "$d"/*.timer || return
    [ ! -s "$ERR" ] || why "systemd-analyze: $(_e2e_show "$ERR")" || return
    grep -q 'flock' "$d/safedump-backup.service" || why "the backup unit takes no lock" || return
}

tcase_must "start PostgreSQL, load data, two backups (the second without one table)" t_setup
tcase "a good backup passes levels 1, 2 and 3 (scratch server and configured target)" t_good_all_levels
tcase "flipped byte: 'stored object hash mismatch'" t_flipped_byte
tcase "truncated object: 'size mismatch'" t_truncated
tcase "data objects swapped between two backups: both bad" t_swapped_objects
tcase "edited manifest: size and recipients caught" t_edited_manifest
tcase "contents.age from another backup: level 2 'plaintext hash mismatch'" t_foreign_contents
tcase "restore test catches a dump that lacks a recorded table" t_restore_test_catches_missing_table
tcase "restore_test_sql that fails or returns false" t_restore_test_sql_false
tcase "verify results are recorded in the state directory" t_results_recorded
tcase "verify results reach the metrics textfile, per level" t_verify_metrics
tcase "restore without harm: existing target refused, interrupted restore leaves it, --replace swaps" t_restore_without_harm
tcase "systemd units and timers pass systemd-analyze verify" t_units
finish
