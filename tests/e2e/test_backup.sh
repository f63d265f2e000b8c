#!/usr/bin/env bash
# End to end against a real PostgreSQL 15: keygen, backup of a database full of awkward data, list, verify
# (without and with the key), and restores that must give back an equal database (per-table row counts and
# row checksums, large objects, sequences, schema): --to postgres://..., --to - | pg_restore, --to FILE, the
# no-lock-in recipe `age -d | zstd -d | pg_restore`, the plain format through psql, and jobs from a
# configuration file. Run with tests/run.sh e2e/test_backup.sh (or directly with bash).
# shellcheck source=tests/e2e/lib.sh disable=SC2034,SC2317 # WHY is read by lib.sh; cases run through tcase
. "$(dirname "$0")/lib.sh"

need age age-keygen zstd psql pg_dump pg_restore pgbench python3
need_safedump

R=$E2E_WORK/repo          # the repository of the one-off backups
K=$E2E_WORK/key.txt       # the identity
K2=$E2E_WORK/key2.txt     # a second identity, for a backup to two recipients
REC='' REC2='' ID1='' ID2=''
PLAIN=$E2E_WORK/plain.dump  # the plaintext of backup ID1, decrypted by age and zstd
export TMPDIR=$E2E_WORK/tmpdir
mkdir -p "$TMPDIR"

t_setup() {
    pg_start || { WHY="PostgreSQL did not start"; return 1; }
    db_load_awkward srcdb || { WHY="could not load the awkward database"; return 1; }
    db_row_counts srcdb
}

t_keygen() {
    expect_exit 0 "$SAFEDUMP" keygen -o "$K" || return
    REC=$(head -n 1 "$OUT")
    [[ $REC =~ ^age1[02-9ac-hj-np-z]{58}$ ]] || why "keygen printed '$REC', not an age recipient" || return
    [ "$(file_mode "$K")" = 600 ] || why "identity file mode is $(file_mode "$K"), not 600" || return
    grep -q '^AGE-SECRET-KEY-1[0-9A-Z]*$' "$K" || why "identity file has no AGE-SECRET-KEY-1 line" || return
    # the age tool reads our identity and derives the same recipient
    local derived
    derived=$(age-keygen -y "$K") || why "age-keygen -y cannot read the identity" || return
    [ "$derived" = "$REC" ] || why "age-keygen -y gives '$derived', keygen printed '$REC'" || return
    expect_exit 0 "$SAFEDUMP" keygen -o "$K2" || return
    REC2=$(head -n 1 "$OUT")
    [ "$REC2" != "$REC" ] || why "two keygen runs printed the same recipient" || return
}

# backup_id: the backup ID from the last backup's stdout line "backup 'JOB' ID: ...".
backup_id() {
    sed -n "s/^backup '$1' \([0-9]\{8\}T[0-9]\{6\}Z\).*/\1/p" "$OUT" | head -n 1
}

# no_partials DIR: nothing half-written is left in a repository.
no_partials() {
    local left
    left=$(find "$1" -name '*.partial*' -o -name '*.tmp' | head -n 5)
    [ -z "$left" ] || why "half-written files left in the repository: $left"
}

t_backup() {
    expect_exit 0 "$SAFEDUMP" backup --source "$(pg_url srcdb)" --repository "$R" --recipient "$REC" || return
    ID1=$(backup_id srcdb)
    [ -n "$ID1" ] || why "no line \"backup 'srcdb' ID...\" on stdout: $(_e2e_show "$OUT")" || return
    local d=$R/srcdb/$ID1 f
    for f in data.dump.zst.age contents.age manifest.json; do
        [ -s "$d/$f" ] || why "missing or empty: srcdb/$ID1/$f (have: $(find "$d" -mindepth 1 -printf '%f ' 2>&1))" || return
    done
    no_partials "$R"
}

t_repository_is_opaque() {
    local d=$R/srcdb/$ID1 hits w
    # Promise 1: without the key the repository reveals sizes and dates, not names or data.
    for w in pgbench_accounts MixedCase awkward 'first line' 'Odd Schema'; do
        hits=$(grep -r -l -a -F -e "$w" "$R" 2>/dev/null | head -n 3)
        [ -z "$hits" ] || why "the repository contains '$w' in plaintext: $hits" || return
    done
    python3 -m json.tool "$d/manifest.json" >/dev/null || why "manifest.json is not valid JSON" || return
    # the manifest records the SHA-256 of the stored object (DESIGN.md, "Repository layout")
    local sum
    sum=$(sha256sum "$d/data.dump.zst.age" | cut -d' ' -f1)
    grep -q -i "$sum" "$d/manifest.json" || why "manifest.json lacks the stored object's SHA-256 $sum" || return
    # the data object is an age file
    head -c 22 "$d/data.dump.zst.age" | grep -q -F 'age-encryption.org/v1' || why "data object is not an age file" || return
}

t_list_text() {
    expect_exit 0 "$SAFEDUMP" list --repository "$R" || return
    grep -E "(^|[[:space:]])srcdb[[:space:]]+$ID1([[:space:]]|$)" "$OUT" >/dev/null ||
        why "no line 'srcdb $ID1 ...' in: $(_e2e_show "$OUT")" || return
    expect_exit 0 "$SAFEDUMP" list srcdb --repository "$R" || return
    expect_stdout_contains "$ID1" || return
}

# check_json FILE PYTHON-ASSERTIONS...: load the JSON in FILE as `j` and run the assertions.
check_json() {
    local file=$1 out
    shift
    out=$(python3 - "$file" "$@" 2>&1 <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
for a in sys.argv[2:]:
    try:
        ok = eval(a)
    except Exception as e:
        print(f"{a}: {type(e).__name__}: {e}")
        sys.exit(1)
    if not ok:
        print(f"not true: {a}")
        sys.exit(1)
PY
    ) || why "list --json: $out" || return
}

t_list_json() {
    expect_exit 0 "$SAFEDUMP" list srcdb --repository "$R" --json || return
    local size
    size=$(file_size "$R/srcdb/$ID1/data.dump.zst.age")
    check_json "$OUT" \
        "isinstance(j, list) and len(j) == 1" \
        "all(k in j[0] for k in ['job', 'id', 'started', 'finished', 'raw_bytes', 'stored_bytes', 'data_key', 'recipients'])" \
        "j[0]['job'] == 'srcdb'" \
        "j[0]['id'] == '$ID1'" \
        "isinstance(j[0]['started'], str) and isinstance(j[0]['finished'], str) and j[0]['started'] <= j[0]['finished']" \
        "j[0]['stored_bytes'] == $size" \
        "isinstance(j[0]['raw_bytes'], int) and j[0]['raw_bytes'] > j[0]['stored_bytes']" \
        "j[0]['data_key'].endswith('data.dump.zst.age') and '$ID1' in j[0]['data_key']" \
        "'$REC' in j[0]['recipients']" || return
    # without a JOB: every job's backups
    expect_exit 0 "$SAFEDUMP" list --repository "$R" --json || return
    check_json "$OUT" "isinstance(j, list) and [b['id'] for b in j if b['job'] == 'srcdb'] == ['$ID1']" || return
}

t_verify_nokey() {
    expect_exit 0 "$SAFEDUMP" verify --repository "$R" || return
    grep -q "^srcdb@$ID1 ok" "$OUT" || why "no line 'srcdb@$ID1 ok' in: $(_e2e_show "$OUT")" || return
    expect_exit 0 "$SAFEDUMP" verify "srcdb@$ID1" --repository "$R" || return
    grep -q "^srcdb@$ID1 ok" "$OUT" || why "no line 'srcdb@$ID1 ok' in: $(_e2e_show "$OUT")" || return
}

t_verify_identity() {
    expect_exit 0 "$SAFEDUMP" verify srcdb@latest --repository "$R" --identity "$K" || return
    grep -q "^srcdb@$ID1 ok" "$OUT" || why "no line 'srcdb@$ID1 ok' in: $(_e2e_show "$OUT")" || return
}

t_restore_url() {
    db_exists restored_url && { why "database restored_url exists before the test"; return 1; }
    # the target database does not exist: restore creates it
    expect_exit 0 "$SAFEDUMP" restore "srcdb@$ID1" --repository "$R" --identity "$K" --to "$(pg_url restored_url)" || return
    db_same srcdb restored_url
}

# restore_pipe DB LOADER... : safedump restore --to - | LOADER, both must succeed.
restore_pipe() {
    local spec=$1
    shift
    echo "\$ safedump restore $spec --to - | $*"
    "$SAFEDUMP" restore "$spec" --repository "$R" --identity "$K" --to - 2>"$ERR" | "$@" >"$OUT" 2>"$E2E_WORK/loader.err"
    local st=("${PIPESTATUS[@]}")
    cat "$ERR" "$E2E_WORK/loader.err"
    san_scan "$ERR" "safedump restore"
    [ "${st[0]}" = 0 ] || why "safedump restore --to - exited ${st[0]}: $(_e2e_show "$ERR")" || return
    [ "${st[1]}" = 0 ] || why "$1 exited ${st[1]}: $(_e2e_show "$E2E_WORK/loader.err")" || return
}

t_restore_stdout() {
    db_create restored_pipe || why "cannot create database restored_pipe" || return
    restore_pipe "srcdb@$ID1" pg_restore --exit-on-error -d restored_pipe || return
    db_same srcdb restored_pipe
}

t_no_lock_in() {
    local d=$R/srcdb/$ID1
    # Promise 3: the standard tools alone restore the backup.
    echo "\$ age -d -i key data.dump.zst.age | zstd -d > plain.dump"
    age -d -i "$K" "$d/data.dump.zst.age" | zstd -q -d >"$PLAIN"
    local st=("${PIPESTATUS[@]}")
    [ "${st[*]}" = "0 0" ] || why "age -d | zstd -d exited ${st[*]}" || return
    head -c 5 "$PLAIN" | grep -q PGDMP || why "the plaintext is not a pg_dump custom-format archive" || return
    db_create restored_age || why "cannot create database restored_age" || return
    echo "\$ age -d -i key data.dump.zst.age | zstd -d | pg_restore -d restored_age"
    age -d -i "$K" "$d/data.dump.zst.age" | zstd -q -d | pg_restore --exit-on-error -d restored_age
    st=("${PIPESTATUS[@]}")
    [ "${st[*]}" = "0 0 0" ] || why "age | zstd | pg_restore exited ${st[*]}" || return
    db_same srcdb restored_age || return
    # contents.age decrypts with age too (it may be compressed)
    age -d -i "$K" "$d/contents.age" >"$E2E_WORK/contents" || why "age cannot decrypt contents.age" || return
    if head -c 4 "$E2E_WORK/contents" | od -An -tx1 | grep -q '28 b5 2f fd'; then
        zstd -q -d -c "$E2E_WORK/contents" >"$E2E_WORK/contents.txt" || why "contents.age: bad zstd" || return
    else
        cp "$E2E_WORK/contents" "$E2E_WORK/contents.txt"
    fi
    grep -q pgbench_accounts "$E2E_WORK/contents.txt" || why "decrypted contents.age does not list pgbench_accounts" || return
}

t_restore_file() {
    expect_exit 0 "$SAFEDUMP" restore "srcdb@$ID1" --repository "$R" --identity "$K" --to "$E2E_WORK/out.dump" || return
    cmp "$PLAIN" "$E2E_WORK/out.dump" || why "restore --to FILE differs from age -d | zstd -d" || return
    pg_restore -l "$E2E_WORK/out.dump" >/dev/null || why "pg_restore -l cannot read the restored file" || return
}

t_identity_env() {
    SAFEDUMP_IDENTITY=$K expect_exit 0 "$SAFEDUMP" restore srcdb@latest --repository "$R" --to - || return
    cmp "$PLAIN" "$OUT" || why "restore with SAFEDUMP_IDENTITY gave other bytes than age -d | zstd -d" || return
}

t_plain_format() {
    expect_exit 0 "$SAFEDUMP" backup --job srcplain --pg-format plain --compression zstd:1 --threads 2 \
        --source "$(pg_url srcdb)" --repository "$R" --recipient "$REC" || return
    local id
    id=$(backup_id srcplain)
    [ -n "$id" ] || why "no line \"backup 'srcplain' ID...\" on stdout: $(_e2e_show "$OUT")" || return
    [ -s "$R/srcplain/$id/data.sql.zst.age" ] || why "missing srcplain/$id/data.sql.zst.age" || return
    age -d -i "$K" "$R/srcplain/$id/data.sql.zst.age" | zstd -q -d | head -n 5 | grep -q 'PostgreSQL database dump' ||
        why "age -d | zstd -d of the plain backup is not SQL from pg_dump" || return
    db_create restored_plain || why "cannot create database restored_plain" || return
    restore_pipe srcplain@latest psql -X -q -v ON_ERROR_STOP=1 -d restored_plain || return
    db_same srcdb restored_plain
}

t_two_recipients() {
    expect_exit 0 "$SAFEDUMP" backup --job tworec --source "$(pg_url srcdb)" --repository "$R" \
        --recipient "$REC" --recipient "$REC2" || return
    expect_exit 0 "$SAFEDUMP" verify tworec@latest --repository "$R" --identity "$K2" || return
    expect_exit 0 "$SAFEDUMP" verify tworec@latest --repository "$R" --identity "$K" || return
    expect_exit 0 "$SAFEDUMP" list tworec --repository "$R" --json || return
    check_json "$OUT" "len(j) == 1 and sorted(j[0]['recipients']) == sorted(['$REC', '$REC2'])"
}

t_second_backup() {
    # Change the source, back it up again: two backups, newest first, each restoring its own state.
    psql_q srcdb "INSERT INTO public.awkward (id, label, body) VALUES (99999, 'added later', E'after\nthe first backup'); SELECT setval('public.counter', 987654324)" >/dev/null ||
        why "cannot change the source database" || return
    sleep 1 # backup IDs have a resolution of one second
    expect_exit 0 "$SAFEDUMP" backup --source "$(pg_url srcdb)" --repository "$R" --recipient "$REC" || return
    ID2=$(backup_id srcdb)
    [ -n "$ID2" ] && [ "$ID2" != "$ID1" ] || why "second backup ID '$ID2' (first '$ID1')" || return
    expect_exit 0 "$SAFEDUMP" list srcdb --repository "$R" --json || return
    check_json "$OUT" "[b['id'] for b in j] == ['$ID2', '$ID1']" || return
    expect_exit 0 "$SAFEDUMP" list srcdb --repository "$R" || return
    [ "$(grep -o -E "$ID2|$ID1" "$OUT" | tr '\n' ' ')" = "$ID2 $ID1 " ] || why "list is not newest first: $(_e2e_show "$OUT")" || return
    expect_exit 0 "$SAFEDUMP" verify srcdb@all --repository "$R" --identity "$K" || return
    [ "$(grep -c -E "^srcdb@($ID1|$ID2) ok" "$OUT")" = 2 ] || why "verify srcdb@all: not two ok lines: $(_e2e_show "$OUT")" || return
    expect_exit 0 "$SAFEDUMP" restore srcdb@latest --repository "$R" --identity "$K" --to "$(pg_url restored_latest)" || return
    db_same srcdb restored_latest || return
    # the first backup still gives the first state (restored_url holds it)
    expect_exit 0 "$SAFEDUMP" restore "srcdb@$ID1" --repository "$R" --identity "$K" --to "$(pg_url restored_first)" || return
    db_same restored_url restored_first
}

CONF=$E2E_WORK/etc/safedump.conf
R2=$E2E_WORK/repo2

t_config_write() {
    mkdir -p "$E2E_WORK/etc" || return
    printf '# the backup key\n%s\n\n' "$REC" >"$E2E_WORK/etc/recipients.txt"
    cat >"$CONF" <<EOF
; safedump configuration for the end-to-end tests
[defaults]
repository = $R2
recipient = $REC
compression = zstd:3

[appdb]
source = $(pg_url srcdb)
pg_format = custom

[appfile]
source = $(pg_url srcdb)
pg_format = plain
recipients_file = $E2E_WORK/etc/recipients.txt
EOF
    cat "$CONF"
}

t_config_backup() {
    expect_exit 0 "$SAFEDUMP" --config "$CONF" backup appdb || return
    local id
    id=$(backup_id appdb)
    [ -n "$id" ] || why "no line \"backup 'appdb' ID...\" on stdout: $(_e2e_show "$OUT")" || return
    [ -s "$R2/appdb/$id/manifest.json" ] || why "no $R2/appdb/$id/manifest.json" || return
    [ ! -e "$R2/appfile" ] || why "backup appdb also ran job appfile" || return
    # --config after the command, and SAFEDUMP_CONFIG
    expect_exit 0 "$SAFEDUMP" list appdb --config "$CONF" || return
    expect_stdout_contains "$id" || return
    SAFEDUMP_CONFIG=$CONF expect_exit 0 "$SAFEDUMP" verify appdb@latest --identity "$K" || return
    grep -q "^appdb@$id ok" "$OUT" || why "no line 'appdb@$id ok' in: $(_e2e_show "$OUT")" || return
    expect_exit 0 "$SAFEDUMP" --config "$CONF" restore appdb@latest --identity "$K" --to "$(pg_url restored_conf)" || return
    db_same srcdb restored_conf
}

t_config_recipients_file() {
    expect_exit 0 "$SAFEDUMP" --config "$CONF" backup appfile || return
    [ -n "$(backup_id appfile)" ] || why "no line \"backup 'appfile' ID...\" on stdout: $(_e2e_show "$OUT")" || return
    expect_exit 0 "$SAFEDUMP" --config "$CONF" verify appfile@latest --identity "$K" || return
}

t_config_all_jobs() {
    sleep 1 # new IDs for the jobs backed up a moment ago
    # no JOB: every job of the configuration
    expect_exit 0 "$SAFEDUMP" --config "$CONF" backup || return
    [ -n "$(backup_id appdb)" ] && [ -n "$(backup_id appfile)" ] ||
        why "backup without JOB did not report both jobs: $(_e2e_show "$OUT")" || return
    expect_exit 0 "$SAFEDUMP" --config "$CONF" list --json || return
    check_json "$OUT" "sorted(b['job'] for b in j) == ['appdb', 'appdb', 'appfile', 'appfile']"
}

t_no_leftovers() {
    no_partials "$R" && no_partials "$R2" || return
    # Promise 4: streaming, no temporary files (TMPDIR points to an empty directory for the whole script)
    local strays
    strays=$(find "$TMPDIR" -mindepth 1 | head -n 5)
    [ -z "$strays" ] || why "files left in TMPDIR: $strays"
}

tcase_must "start PostgreSQL and load the awkward database" t_setup
tcase_must "keygen writes an identity (0600) and prints its age recipient" t_keygen
tcase_must "backup a database to a local repository" t_backup
tcase "the repository holds no plaintext and the manifest names the object's SHA-256" t_repository_is_opaque
tcase "list (text)" t_list_text
tcase "list --json has the documented fields" t_list_json
tcase "verify without a key" t_verify_nokey
tcase "verify with the identity" t_verify_identity
tcase "restore --to postgres://... creates an equal database" t_restore_url
tcase "restore --to - | pg_restore gives an equal database" t_restore_stdout
tcase "no lock-in: age -d | zstd -d | pg_restore gives an equal database" t_no_lock_in
tcase "restore --to FILE writes the pg_dump archive" t_restore_file
tcase "restore takes the identity from SAFEDUMP_IDENTITY" t_identity_env
tcase "plain format: backup, restore --to - | psql" t_plain_format
tcase "backup to two recipients: each identity decrypts" t_two_recipients
tcase "a second backup: newest first, verify @all, each restores its own state" t_second_backup
tcase_must "write a configuration file" t_config_write
tcase "config job: backup by name, list, verify, restore" t_config_backup
tcase "config job with recipients_file and plain format" t_config_recipients_file
tcase "config: backup without JOB runs every job" t_config_all_jobs
tcase "nothing half-written or temporary is left" t_no_leftovers
finish
