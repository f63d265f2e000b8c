#!/usr/bin/env bash
# End to end, with faults: each case asserts the exact exit status and a piece of the message.
#   a dump tool killed mid-stream or failing after it wrote bytes; the wrong identity; a flipped byte and a
#   truncated data object; an unwritable repository; configuration errors; keygen over an existing file;
#   a backup without a recipient; usage errors.
# Run with tests/run.sh e2e/test_faults.sh (or directly with bash).
# shellcheck source=tests/e2e/lib.sh disable=SC2034,SC2317 # WHY is read by lib.sh; cases run through tcase
. "$(dirname "$0")/lib.sh"

need age age-keygen zstd psql pg_dump pg_restore pgbench python3
need_safedump

R=$E2E_WORK/repo
K=$E2E_WORK/key.txt
KW=$E2E_WORK/wrong-key.txt
PLAIN=$E2E_WORK/plain.dump
REC='' ID1='' URL=''

backup_id() {
    sed -n "s/^backup '$1' \([0-9]\{8\}T[0-9]\{6\}Z\).*/\1/p" "$OUT" | head -n 1
}

# backups JOB [REPO]: the number of committed backups of JOB (directories with a manifest).
backups() {
    find "${2:-$R}/$1" -mindepth 2 -maxdepth 2 -name manifest.json 2>/dev/null | wc -l
}

# repo_clean REPO: nothing half-written: no *.partial* file, and no backup directory holding a data object
# without its manifest (the manifest commits a backup; DESIGN.md promise 5).
repo_clean() {
    local left d
    left=$(find "$1" -name '*.partial*' | head -n 5)
    [ -z "$left" ] || why "half-written files left in the repository: $left" || return
    for d in "$1"/*/*/; do
        [ -d "$d" ] || continue
        if [ ! -e "$d/manifest.json" ] && compgen -G "$d/data.*" >/dev/null; then
            why "a data object without a manifest: $d" || return
        fi
    done
}

# flip_byte FILE OFFSET: invert the lowest bit of one byte.
flip_byte() {
    local b
    b=$(od -An -tu1 -j "$2" -N 1 "$1" | tr -d ' ')
    printf '%b' "\\0$(printf '%03o' $((b ^ 1)))" | dd of="$1" bs=1 seek="$2" count=1 conv=notrunc status=none
}

# is_prefix PART WHOLE: PART is a strict prefix of WHOLE (possibly empty): nothing unauthenticated was emitted.
is_prefix() {
    local n
    n=$(file_size "$1")
    [ "$n" -lt "$(file_size "$2")" ] || why "restore of a damaged backup emitted $n bytes, the whole plaintext or more" || return
    [ "$n" -eq 0 ] || cmp -s -n "$n" "$1" "$2" || why "restore of a damaged backup emitted bytes that are not the plaintext" || return
}

# ---------------------------------------------------------------------------------------------------------

t_setup() {
    pg_start || { WHY="PostgreSQL did not start"; return 1; }
    db_load_awkward srcdb || { WHY="could not load the awkward database"; return 1; }
    URL=$(pg_url srcdb)
    expect_exit 0 "$SAFEDUMP" keygen -o "$K" || return
    REC=$(head -n 1 "$OUT")
    expect_exit 0 "$SAFEDUMP" keygen -o "$KW" || return
    expect_exit 0 "$SAFEDUMP" backup --job fj --source "$URL" --repository "$R" --recipient "$REC" || return
    ID1=$(backup_id fj)
    [ -n "$ID1" ] || why "no line \"backup 'fj' ID...\" on stdout: $(_e2e_show "$OUT")" || return
    age -d -i "$K" "$R/fj/$ID1/data.dump.zst.age" | zstd -q -d >"$PLAIN" || why "age -d | zstd -d of the good backup failed" || return
    sleep 1 # the next backup gets another ID
}

# (a) the dump tool dies

t_pg_dump_killed() {
    # The wrapper is named pg_dump (as a --pg-dump PATH would be) and becomes the real pg_dump: exec keeps the
    # PID that safedump waits for. Its output runs through a counter that kills it with SIGKILL once 64 KiB
    # have reached safedump.
    local wrapper=$E2E_WORK/killer/pg_dump
    mkdir -p "${wrapper%/*}"
    cat >"$wrapper" <<EOF
#!/usr/bin/env bash
pid=\$\$
exec "$PGBIN/pg_dump" "\$@" > >(head -c 65536; kill -KILL "\$pid" && echo "\$pid" >"$E2E_WORK/killed.pid"; exec cat >/dev/null)
EOF
    chmod +x "$wrapper"
    rm -f "$E2E_WORK/killed.pid"
    expect_exit 1 "$SAFEDUMP" backup --job fj --source "$URL" --repository "$R" --recipient "$REC" --pg-dump "$wrapper" || return
    [ -s "$E2E_WORK/killed.pid" ] || why "the wrapper did not kill pg_dump (the dump ended first?)" || return
    expect_error_format || return
    expect_stderr_contains "pg_dump" || return
    expect_stderr_contains "killed by signal 9" || return
    [ "$(backups fj)" = 1 ] || why "$(backups fj) backups of fj after the failed one, expected 1" || return
    expect_exit 0 "$SAFEDUMP" list fj --repository "$R" --json || return
    grep -o '"id"' "$OUT" | wc -l | grep -qx 1 || why "list shows a new backup: $(_e2e_show "$OUT")" || return
    repo_clean "$R" || return
    expect_exit 0 "$SAFEDUMP" verify fj@all --repository "$R" --identity "$K" || return
    grep -q "^fj@$ID1 ok" "$OUT" || why "the earlier backup does not verify: $(_e2e_show "$OUT")" || return
}

t_pg_dump_fails() {
    expect_exit 1 "$SAFEDUMP" backup --job fj --source "$(pg_url no_such_db)" --repository "$R" --recipient "$REC" || return
    expect_error_format || return
    expect_stderr_contains "does not exist" || return
    [ "$(backups fj)" = 1 ] || why "$(backups fj) backups of fj after the failed one, expected 1" || return
    repo_clean "$R"
}

t_password_not_in_argv() {
    # A password given in a --source URL reaches pg_dump as PGPASSWORD in its environment only: never in its
    # argv, never in safedump's messages. A wrapper records what pg_dump was given, then becomes pg_dump.
    local wrapper=$E2E_WORK/spy/pg_dump secret=S3cr3t-pw-$$
    mkdir -p "${wrapper%/*}"
    cat >"$wrapper" <<EOF
#!/usr/bin/env bash
printf '%s\n' "\$@" >"$E2E_WORK/spy/argv"
printf '%s\n' "\${PGPASSWORD-unset}" >"$E2E_WORK/spy/env"
exec "$PGBIN/pg_dump" "\$@"
EOF
    chmod +x "$wrapper"
    expect_exit 0 "$SAFEDUMP" backup --job fpw --source "postgres://$PGUSER:$secret@$PGHOST:$PGPORT/srcdb" \
        --repository "$R" --recipient "$REC" --pg-dump "$wrapper" || return
    expect_stderr_contains "password on the command line is visible" || return
    ! grep -q "$secret" "$E2E_WORK/spy/argv" || why "pg_dump's argv holds the password: $(cat "$E2E_WORK/spy/argv")" || return
    grep -qx "$secret" "$E2E_WORK/spy/env" || why "pg_dump did not get PGPASSWORD" || return
    ! grep -rq "$secret" "$R/fpw" || why "the password is in the repository" || return
    # a failing run with a password: the message masks it
    expect_exit 1 "$SAFEDUMP" backup --job fpw --source "postgres://$PGUSER:$secret@$PGHOST:$PGPORT/no_such_db" \
        --repository "$R" --recipient "$REC" || return
    expect_stderr_contains ":***@" || return
    ! grep -q "$secret" "$ERR" || why "an error message shows the password: $(_e2e_show "$ERR")" || return
}

t_pg_dump_fails_after_bytes() {
    # The start of a real archive (192 KiB of the good backup's plaintext), then the real pg_dump, which
    # fails: no such database. The dump tool's failure and its message must win over the short archive.
    local wrapper=$E2E_WORK/failer/pg_dump
    mkdir -p "${wrapper%/*}"
    head -c 196608 "$PLAIN" >"$E2E_WORK/archive-start"
    cat >"$wrapper" <<EOF
#!/usr/bin/env bash
cat "$E2E_WORK/archive-start" || exit 3
exec "$PGBIN/pg_dump" "\$@"
EOF
    chmod +x "$wrapper"
    expect_exit 1 "$SAFEDUMP" backup --job fj --source "$(pg_url no_such_db)" --repository "$R" --recipient "$REC" \
        --pg-dump "$wrapper" || return
    expect_error_format || return
    expect_stderr_contains "does not exist" || return
    [ "$(backups fj)" = 1 ] || why "$(backups fj) backups of fj after the failed one, expected 1" || return
    repo_clean "$R"
}

t_pg_dump_garbage_then_fails() {
    # Bytes that are no archive at all, then a pg_dump that fails: the dump tool's failure is the cause to
    # report, not what its output looked like.
    local wrapper=$E2E_WORK/garbage/pg_dump
    mkdir -p "${wrapper%/*}"
    cat >"$wrapper" <<EOF
#!/usr/bin/env bash
head -c 100 /dev/urandom
exec "$PGBIN/pg_dump" "\$@"
EOF
    chmod +x "$wrapper"
    expect_exit 1 "$SAFEDUMP" backup --job fj --source "$(pg_url no_such_db)" --repository "$R" --recipient "$REC" \
        --pg-dump "$wrapper" || return
    expect_error_format || return
    expect_stderr_contains "does not exist" || return
    [ "$(backups fj)" = 1 ] || why "$(backups fj) backups of fj after the failed one, expected 1" || return
    repo_clean "$R"
}

# (b) the wrong identity

t_interrupted() {
    # safedump itself is stopped (SIGTERM, as from systemd or kill) while the dump tool is mid-stream: the
    # run unwinds like a failure: exit 1, the signal named, no backup, nothing half-written, no empty dirs.
    local wrapper=$E2E_WORK/slow/pg_dump pid rc
    mkdir -p "${wrapper%/*}"
    cat >"$wrapper" <<EOF
#!/usr/bin/env bash
"$PGBIN/pg_dump" "\$@" | head -c 65536
exec sleep 30
EOF
    chmod +x "$wrapper"
    "$SAFEDUMP" backup --job fint --source "$URL" --repository "$R" --recipient "$REC" --pg-dump "$wrapper" \
        >"$OUT" 2>"$ERR" &
    pid=$!
    sleep 1
    kill -TERM "$pid"
    rc=0
    wait "$pid" || rc=$?
    [ "$rc" = 1 ] || why "exit $rc after SIGTERM, expected 1: $(_e2e_show "$ERR")" || return
    expect_stderr_contains "interrupted by signal 15" || return
    [ "$(backups fint)" = 0 ] || why "a backup of fint exists after the interrupted run" || return
    [ ! -e "$R/fint" ] || why "the interrupted run left '$R/fint' behind: $(find "$R/fint")" || return
    repo_clean "$R" || return
}

t_wrong_identity() {
    expect_exit 1 "$SAFEDUMP" restore "fj@$ID1" --repository "$R" --identity "$KW" --to - || return
    expect_error_format || return
    expect_stderr_contains "no identity matches" || return
    [ ! -s "$OUT" ] || why "restore with the wrong identity wrote $(file_size "$OUT") bytes to stdout" || return
    expect_exit 1 "$SAFEDUMP" verify "fj@$ID1" --repository "$R" --identity "$KW" || return
    expect_output_contains "no identity matches" || return
    ! db_exists wrongkey_db || why "database wrongkey_db exists before the test" || return
    expect_exit 1 "$SAFEDUMP" restore "fj@$ID1" --repository "$R" --identity "$KW" --to "$(pg_url wrongkey_db)" || return
    expect_stderr_contains "no identity matches" || return
}

# (c) a flipped byte in the middle of the data object

t_flipped_byte() {
    local RF=$E2E_WORK/repo-flip f
    cp -a "$R" "$RF" || return
    f=$RF/fj/$ID1/data.dump.zst.age
    flip_byte "$f" $(($(file_size "$f") / 2))
    ! cmp -s "$f" "$R/fj/$ID1/data.dump.zst.age" || why "the byte did not flip" || return
    # integrity without the key
    expect_exit 4 "$SAFEDUMP" verify --repository "$RF" || return
    expect_output_contains "hash mismatch" || return
    grep -q "^fj@$ID1 BAD" "$OUT" || why "no line 'fj@$ID1 BAD: ...' in: $(_e2e_show "$OUT")" || return
    expect_exit 4 "$SAFEDUMP" verify "fj@$ID1" --repository "$RF" --identity "$K" || return
    # restore to stdout: fails, and emits nothing that was not authenticated
    run "$SAFEDUMP" restore "fj@$ID1" --repository "$RF" --identity "$K" --to -
    [ "$RC" != 0 ] || why "restore of a damaged backup exited 0" || return
    expect_error_format || return
    is_prefix "$OUT" "$PLAIN" || return
    # restore into a database: fails; the database is absent or holds no more than what came before the flip
    run "$SAFEDUMP" restore "fj@$ID1" --repository "$RF" --identity "$K" --to "$(pg_url flipdb)"
    [ "$RC" != 0 ] || why "restore of a damaged backup into a database exited 0" || return
    if db_exists flipdb; then
        local n
        n=$(psql_q flipdb "SELECT count(*) FROM public.pgbench_accounts" 2>/dev/null || echo 0)
        [ "$n" -lt 100000 ] || why "all of pgbench_accounts was loaded from a damaged backup" || return
    fi
    # a database that existed before the failed restore is never dropped
    db_create precious || why "cannot create database precious" || return
    psql_q precious "CREATE TABLE keep_me (x int); INSERT INTO keep_me VALUES (42)" || return
    run "$SAFEDUMP" restore "fj@$ID1" --repository "$RF" --identity "$K" --to "$(pg_url precious)"
    [ "$RC" != 0 ] || why "restore of a damaged backup into an existing database exited 0" || return
    db_exists precious || why "a failed restore dropped the existing database 'precious'" || return
    [ "$(psql_q precious "SELECT x FROM keep_me")" = 42 ] || why "a failed restore lost the existing table keep_me" || return
}

# (d) a data object cut in half

t_truncated() {
    local RT=$E2E_WORK/repo-trunc f
    cp -a "$R" "$RT" || return
    f=$RT/fj/$ID1/data.dump.zst.age
    truncate -s $(($(file_size "$f") / 2)) "$f"
    expect_exit 4 "$SAFEDUMP" verify "fj@$ID1" --repository "$RT" || return
    cat "$OUT" "$ERR" | grep -q -E 'size mismatch|hash mismatch' ||
        why "verify output lacks 'size mismatch' or 'hash mismatch': $(cat "$OUT" "$ERR" | tr '\n' ' ' | cut -c1-200)" || return
    expect_exit 1 "$SAFEDUMP" restore "fj@$ID1" --repository "$RT" --identity "$K" --to - || return
    expect_error_format || return
    expect_stderr_contains "truncated" || return
    is_prefix "$OUT" "$PLAIN" || return
}

# (d2) damage that the manifest does not show: the manifest is rewritten to the damaged object's size and
# hash, so only the age layer can notice: a cut at a chunk boundary (the final chunk is missing) and a
# flipped byte must both fail, and restore must not emit unauthenticated bytes.

# age_payload_start FILE: the offset of the first payload chunk (after the header, its MAC line and the
# 16-byte nonce).
age_payload_start() {
    local n
    n=$(grep -a -b -m 1 '^--- ' "$1" | cut -d: -f1) || return 1
    echo $((n + $(grep -a -m 1 '^--- ' "$1" | wc -c) + 16))
}

# manifest_match REPO JOB ID: rewrite the manifest's size and SHA-256 of the data object to the file's own.
manifest_match() {
    local d=$1/$2/$3 f
    f=$(find "$d" -name 'data.*' | head -n 1)
    python3 - "$d/manifest.json" "$f" <<'PY'
import hashlib, json, os, sys
m, f = sys.argv[1], sys.argv[2]
j = json.load(open(m))
data = open(f, 'rb').read()
old = json.dumps(j)
def fix(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if isinstance(v, (dict, list)):
                fix(v)
            elif k in ('stored_bytes', 'size') and isinstance(v, int):
                o[k] = len(data)
            elif 'sha256' in k and isinstance(v, str):
                o[k] = hashlib.sha256(data).hexdigest()
    elif isinstance(o, list):
        for v in o:
            fix(v)
fix(j)
if json.dumps(j) == old:
    sys.exit("manifest_match: no size or sha256 field changed")
json.dump(j, open(m, 'w'), indent=1)
PY
}

t_forged() {
    local RC2=$E2E_WORK/repo-cut f start
    cp -a "$R" "$RC2" || return
    f=$RC2/fj/$ID1/data.dump.zst.age
    start=$(age_payload_start "$f") || why "cannot find the age header's end" || return
    [ "$(file_size "$f")" -gt $((start + 2 * 65552)) ] || why "the data object is too small for this test" || return
    truncate -s $((start + 2 * 65552)) "$f"
    manifest_match "$RC2" fj "$ID1" || why "cannot rewrite the manifest" || return
    # size and hash agree again: only the age layer can tell
    expect_exit 0 "$SAFEDUMP" verify "fj@$ID1" --repository "$RC2" || why "the manifest rewrite did not take: $WHY" || return
    expect_exit 1 "$SAFEDUMP" restore "fj@$ID1" --repository "$RC2" --identity "$K" --to - || return
    expect_error_format || return
    expect_stderr_contains "truncated" || return
    is_prefix "$OUT" "$PLAIN" || return
    expect_exit 4 "$SAFEDUMP" verify "fj@$ID1" --repository "$RC2" --identity "$K" || return
    # a flipped byte in the second chunk, manifest rewritten
    local RF2=$E2E_WORK/repo-forged
    cp -a "$R" "$RF2" || return
    f=$RF2/fj/$ID1/data.dump.zst.age
    flip_byte "$f" $((start + 65552 + 1000))
    manifest_match "$RF2" fj "$ID1" || why "cannot rewrite the manifest" || return
    run "$SAFEDUMP" restore "fj@$ID1" --repository "$RF2" --identity "$K" --to -
    [ "$RC" = 1 ] || [ "$RC" = 4 ] || why "restore of a forged chunk exited $RC, expected 1 (or 4)" || return
    expect_error_format || return
    is_prefix "$OUT" "$PLAIN" || return
    expect_exit 4 "$SAFEDUMP" verify "fj@$ID1" --repository "$RF2" --identity "$K" || return
}

# (e) an unwritable repository

t_unwritable_repository() {
    local parent=$E2E_WORK/a-plain-file
    echo "not a directory" >"$parent"
    # a repository under a regular file cannot be created, even by root
    expect_exit 1 "$SAFEDUMP" backup --job fj --source "$URL" --repository "$parent/store" --recipient "$REC" || return
    expect_error_format || return
    expect_stderr_contains "repository" || return
    if [ "$E2E_IS_ROOT" = 0 ]; then
        local ro=$E2E_WORK/read-only
        mkdir -p "$ro" && chmod 555 "$ro"
        expect_exit 1 "$SAFEDUMP" backup --job fj --source "$URL" --repository "$ro" --recipient "$REC" || return
        expect_error_format || return
        expect_stderr_contains "repository" || return
        chmod 755 "$ro"
    fi
}

# (f) configuration errors name FILE:LINE and the key

t_bad_config() {
    local dir=$E2E_WORK/etc
    mkdir -p "$dir"
    printf '[defaults]\nrepository = %s\ncompresion = zstd:3\nrecipient = %s\n[fj]\nsource = %s\n' \
        "$R" "$REC" "$URL" >"$dir/safedump.conf"
    expect_exit 2 "$SAFEDUMP" --config "$dir/safedump.conf" backup fj || return
    expect_error_format || return
    expect_stderr_contains "safedump.conf:3" || return
    expect_stderr_contains "compresion" || return
    # a value that does not parse
    printf '[defaults]\nrepository = %s\nrecipient = %s\n\n[fj]\nsource = %s\ncompression = zstd:banana\n' \
        "$R" "$REC" "$URL" >"$dir/safedump.conf"
    expect_exit 2 "$SAFEDUMP" --config "$dir/safedump.conf" backup fj || return
    expect_stderr_contains "safedump.conf:7" || return
    expect_stderr_contains "compression" || return
    # a line that is not "key = value"
    printf '[defaults]\nrepository = %s\nthis line is nonsense\n' "$R" >"$dir/safedump.conf"
    expect_exit 2 "$SAFEDUMP" --config "$dir/safedump.conf" list || return
    expect_stderr_contains "safedump.conf:3" || return
    # a configuration file that does not exist
    expect_exit 2 "$SAFEDUMP" --config "$dir/no-such.conf" list || return
    expect_stderr_contains "no-such.conf" || return
}

# (g) an unknown job

t_unknown_job() {
    local dir=$E2E_WORK/etc
    mkdir -p "$dir"
    printf '[defaults]\nrepository = %s\nrecipient = %s\n[fj]\nsource = %s\n' "$R" "$REC" "$URL" >"$dir/good.conf"
    run "$SAFEDUMP" --config "$dir/good.conf" backup nosuchjob
    [ "$RC" = 2 ] || [ "$RC" = 1 ] || why "backup of an unknown job exited $RC, expected 2 (or 1)" || return
    expect_error_format || return
    expect_stderr_contains "unknown job" || return
    expect_stderr_contains "nosuchjob" || return
    [ ! -e "$R/nosuchjob" ] || why "an unknown job got a directory in the repository" || return
}

# (h) keygen never overwrites, and writes 0600 whatever the umask

t_keygen_exists() {
    local before
    before=$(sha256sum "$K")
    expect_exit 1 "$SAFEDUMP" keygen -o "$K" || return
    expect_error_format || return
    expect_stderr_contains "exists" || return
    [ "$(sha256sum "$K")" = "$before" ] || why "keygen changed an existing identity file" || return
    [ ! -s "$OUT" ] || why "keygen printed a recipient although it failed" || return
    (umask 000 && "$SAFEDUMP" keygen -o "$E2E_WORK/umask-key.txt" >/dev/null) || why "keygen under umask 000 failed" || return
    [ "$(file_mode "$E2E_WORK/umask-key.txt")" = 600 ] ||
        why "keygen under umask 000 wrote mode $(file_mode "$E2E_WORK/umask-key.txt"), not 600" || return
    [ "$(file_mode "$K")" = 600 ] || why "identity mode $(file_mode "$K"), not 600" || return
}

# (i) a backup without a recipient is a usage error with a hint

t_no_recipient() {
    expect_exit 2 "$SAFEDUMP" backup --job norec --source "$URL" --repository "$R" || return
    expect_error_format || return
    grep -q '^hint: ' "$ERR" || why "no line starting 'hint: ' on stderr: $(_e2e_show "$ERR")" || return
    [ ! -e "$R/norec" ] || why "a backup without recipients left something in the repository" || return
}

# usage errors, --help and --version

t_usage() {
    expect_exit 2 "$SAFEDUMP" no-such-command || return
    expect_error_format || return
    expect_exit 2 "$SAFEDUMP" backup --no-such-option || return
    expect_error_format || return
    expect_exit 2 "$SAFEDUMP" restore fj@latest --repository "$R" --identity "$K" || return # no --to
    expect_exit 2 "$SAFEDUMP" backup --source "$URL" --repository "$R" --recipient "not-a-recipient" || return
    expect_exit 0 "$SAFEDUMP" --help || return
    expect_stdout_contains "backup" || return
    expect_stdout_contains "restore" || return
    expect_exit 0 "$SAFEDUMP" backup --help || return
    expect_stdout_contains "--recipient" || return
    expect_exit 0 "$SAFEDUMP" --version || return
    grep -q -E '[0-9]+\.[0-9]+\.[0-9]+' "$OUT" || why "--version prints no version number: $(_e2e_show "$OUT")" || return
}

t_unknown_backup() {
    run "$SAFEDUMP" restore fj@20000101T000000Z --repository "$R" --identity "$K" --to -
    [ "$RC" = 1 ] || [ "$RC" = 2 ] || why "restore of a backup that does not exist exited $RC, expected 1 (or 2)" || return
    expect_error_format || return
    expect_stderr_contains "20000101T000000Z" || return
}

tcase_must "start PostgreSQL, load data, keygen, one good backup" t_setup
tcase "pg_dump killed by SIGKILL mid-stream: exit 1, no backup, nothing half-written" t_pg_dump_killed
tcase "pg_dump fails (no such database): exit 1 with pg_dump's message" t_pg_dump_fails
tcase "a password in the source URL reaches pg_dump's environment, never argv or messages" t_password_not_in_argv
tcase "pg_dump fails after writing bytes: exit 1, no backup" t_pg_dump_fails_after_bytes
tcase "pg_dump writes garbage, then fails: its failure is what is reported" t_pg_dump_garbage_then_fails
tcase "safedump stopped by SIGTERM mid-dump: exit 1, nothing left behind" t_interrupted
tcase "wrong identity on restore and verify: exit 1, 'no identity matches'" t_wrong_identity
tcase "flipped byte: verify exit 4 'hash mismatch'; restore fails without unauthenticated output" t_flipped_byte
tcase "truncated data object: verify exit 4; restore exit 1 'truncated'" t_truncated
tcase "damage the manifest does not show (cut at a chunk boundary, forged chunk): the age layer rejects it" t_forged
tcase "unwritable repository: exit 1, 'repository'" t_unwritable_repository
tcase "bad configuration: exit 2 with FILE:LINE and the key" t_bad_config
tcase "unknown job: 'unknown job'" t_unknown_job
tcase "keygen refuses an existing file; the identity is 0600" t_keygen_exists
tcase "backup without a recipient: exit 2 with a hint" t_no_recipient
tcase "usage errors exit 2; --help and --version exit 0" t_usage
tcase "restore of a backup ID that does not exist" t_unknown_backup
finish
