# shellcheck shell=bash
# The end-to-end harness, sourced by tests/e2e/test_*.sh, scripts/demo.sh and bench/bench.sh.
#
# A test script is a list of cases. Each case is a shell function run by `tcase NAME FUNC [ARGS...]`: its
# output goes to a log of its own (tests/.tmp/e2e/SCRIPT/NN-name.log), and the script prints one line per
# case on stdout, which tests/run.sh counts:
#     ok - NAME
#     not ok - NAME: WHY          (followed by "# " lines: the tail of the case's log)
#     skip - NAME: REASON
# A case function returns 0 (pass), 77 (skip, reason in $WHY) or anything else (fail, reason in $WHY).
# Inside a case, `run CMD...` runs a command with its stdout in $OUT and stderr in $ERR (files) and its
# status in $RC, and logs all three; `expect_exit STATUS CMD...` runs and checks the status; the
# expect_*_contains helpers check the last run's output. Each helper sets $WHY when it returns non-zero, so
# a case reads as a list of `helper || return`.
#
# The script ends with `finish`: exit 0 when every case passed or skipped, 1 when one failed. `need CMD`
# skips the whole script (exit 77) when a tool is missing; tests/run.sh turns skips into failures when CI=true.
#
# Servers: `pg_start` starts a private PostgreSQL 15 on 127.0.0.1 and a free port and exports PGHOST,
# PGPORT, PGUSER (and PG_DIR, its directory); `pg_stop` stops the last one started. A trap stops every server
# and removes every temporary directory when the script exits, also after a failure or a signal (set
# KEEP_TMP=1 to keep them for debugging).

# ---------------------------------------------------------------------------------------------------------
# Paths and tools

E2E_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
E2E_SCRIPT=$(basename "${0%.sh}")
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
# The version-specific tools first: /usr/bin/pg_dump is Debian's version-choosing wrapper.
[ -d "$PGBIN" ] && PATH="$PGBIN:$PATH"
export PATH PGBIN

SAFEDUMP=${SAFEDUMP_BIN:-$E2E_TOP/safedump}
case $SAFEDUMP in /*) ;; *) SAFEDUMP=$PWD/$SAFEDUMP ;; esac
export SAFEDUMP

# libpq settings from the caller's environment must not leak into the tests.
unset PGDATABASE PGSERVICE PGSERVICEFILE PGPASSWORD PGPASSFILE PGSSLMODE PGOPTIONS PGTARGETSESSIONATTRS \
    SAFEDUMP_CONFIG SAFEDUMP_IDENTITY
export PGCONNECT_TIMEOUT=10

E2E_IS_ROOT=0
[ "$(id -u)" -eq 0 ] && E2E_IS_ROOT=1

# ---------------------------------------------------------------------------------------------------------
# Temporary directories and the exit trap

_e2e_dirs=()     # removed at exit
_e2e_pids=()     # background servers (e2e_bg), killed at exit
_e2e_pg_dirs=()  # PostgreSQL servers still running (their directories)

# e2e_tmpdir VAR [PREFIX]: set VAR to a new private (0700) directory under /tmp with a short path, removed
# at exit. (Not for $(...): the directory must be registered in this shell.)
e2e_tmpdir() {
    local _e2e_t
    _e2e_t=$(mktemp -d "/tmp/${2:-sd}.XXXXXX") || return 1
    chmod 700 "$_e2e_t"
    _e2e_dirs+=("$_e2e_t")
    printf -v "$1" '%s' "$_e2e_t"
}

_e2e_cleanup() {
    local status=$? d
    set +e # the caller may run under set -e: every step of the cleanup must run
    trap - EXIT INT TERM HUP
    for d in "${_e2e_pids[@]}"; do
        kill "$d" 2>/dev/null && wait "$d" 2>/dev/null
    done
    for d in "${_e2e_pg_dirs[@]}"; do
        _pg_stop_dir "$d" >/dev/null 2>&1
    done
    _e2e_pg_dirs=()
    if [ "${KEEP_TMP:-0}" = 1 ]; then
        [ "${#_e2e_dirs[@]}" -gt 0 ] && echo "# kept: ${_e2e_dirs[*]}" >&2
    else
        for d in "${_e2e_dirs[@]}"; do
            [ -n "$d" ] && [ -d "$d" ] && rm -rf -- "$d"
        done
    fi
    exit "$status"
}
trap _e2e_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# ---------------------------------------------------------------------------------------------------------
# Tools and free ports

# need CMD...: skip the whole script (exit 77) when one of the commands is missing.
need() {
    local c
    for c in "$@"; do
        if ! command -v "$c" >/dev/null 2>&1; then
            echo "skip - all cases: '$c' is not installed (scripts/setup.sh installs it)" >&3
            exit 77
        fi
    done
}

# need_safedump: fail the whole script when the binary under test is missing (it is never a skip).
need_safedump() {
    if [ ! -x "$SAFEDUMP" ]; then
        echo "not ok - safedump binary: '$SAFEDUMP' is not an executable (run make, or set SAFEDUMP_BIN)" >&3
        exit 1
    fi
}

# freeport: print a TCP port on 127.0.0.1 that is free right now.
freeport() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'
        return
    fi
    local p
    for _ in $(seq 1 100); do
        p=$((20000 + RANDOM % 40000))
        # a refused connection means nobody listens there
        if ! (exec 9<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

# e2e_bg PID: a background server started by the script, stopped (by its PID) when the script exits.
e2e_bg() {
    _e2e_pids+=("$1")
}

# ---------------------------------------------------------------------------------------------------------
# PostgreSQL

# _pg_as CMD...: run a server command as user postgres (initdb and pg_ctl refuse root), from a directory
# that user can enter.
_pg_as() {
    if [ "$E2E_IS_ROOT" = 1 ]; then
        (cd / && runuser -u postgres -- "$@")
    else
        "$@"
    fi
}

# pg_start: start a PostgreSQL 15 server in a new temporary directory, on 127.0.0.1 and a free port, with
# trust authentication and fsync off. Exports PGHOST, PGPORT, PGUSER=postgres, PGDATABASE=postgres and
# PG_DIR; returns once the server accepts connections. Several servers may run at once.
pg_start() {
    local d port
    if [ ! -x "$PGBIN/initdb" ]; then
        echo "pg_start: $PGBIN/initdb not found (PostgreSQL 15 server not installed)" >&2
        return 1
    fi
    e2e_tmpdir d sdpg || return 1
    if [ "$E2E_IS_ROOT" = 1 ]; then
        chown postgres: "$d" || return 1
    fi
    if ! _pg_as "$PGBIN/initdb" -D "$d/data" -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8 \
        >"$d/initdb.log" 2>&1; then
        echo "pg_start: initdb failed:" >&2
        cat "$d/initdb.log" >&2
        return 1
    fi
    for _ in 1 2 3; do
        port=$(freeport) || return 1
        # The socket goes into the short private directory; TCP only on loopback.
        if _pg_as "$PGBIN/pg_ctl" -D "$d/data" -l "$d/server.log" -w -t 60 \
            -o "-c listen_addresses=127.0.0.1 -p $port -k $d -c fsync=off -c full_page_writes=off -c synchronous_commit=off" \
            start >"$d/pg_ctl.log" 2>&1; then
            _e2e_pg_dirs+=("$d")
            export PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres PGDATABASE=postgres PG_DIR=$d
            return 0
        fi
        # Most likely someone took the port between freeport and the bind: try another one.
        _pg_stop_dir "$d" >/dev/null 2>&1
    done
    echo "pg_start: the server did not start:" >&2
    cat "$d/pg_ctl.log" "$d/server.log" >&2 2>/dev/null
    return 1
}

_pg_stop_dir() {
    local d=$1 pid
    [ -d "$d/data" ] || return 0
    if ! _pg_as "$PGBIN/pg_ctl" -D "$d/data" -m fast -w -t 30 stop; then
        # not stopped in time (or pg_ctl missing): kill the postmaster by its PID
        pid=$(head -n 1 "$d/data/postmaster.pid" 2>/dev/null)
        [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
    fi
    return 0
}

# pg_stop [DIR]: stop the server in DIR (default: the last one started) and forget it.
pg_stop() {
    local d=${1:-${PG_DIR:-}} x keep=()
    [ -n "$d" ] || return 0
    _pg_stop_dir "$d" >/dev/null 2>&1
    for x in "${_e2e_pg_dirs[@]}"; do
        [ "$x" = "$d" ] || keep+=("$x")
    done
    _e2e_pg_dirs=("${keep[@]}")
    return 0
}

# pg_url DB: the connection URL of database DB on the current server.
pg_url() {
    printf 'postgres://%s@%s:%s/%s\n' "$PGUSER" "$PGHOST" "$PGPORT" "$1"
}

# psql_q DB SQL: run SQL in DB, unaligned and tuples only, stop at the first error.
psql_q() {
    psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "$2"
}

# db_create DB: create an empty database.
db_create() {
    psql_q postgres "CREATE DATABASE \"$1\""
}

# db_exists DB: status 0 when the database exists.
db_exists() {
    [ "$(psql_q postgres "SELECT count(*) FROM pg_database WHERE datname = '$1'")" = 1 ]
}

# db_load_awkward DB: create DB with pgbench tables (scale 1) and the awkward data of awkward.sql.
db_load_awkward() {
    db_create "$1" || return 1
    pgbench -q -i -s "${2:-1}" "$1" >/dev/null 2>&1 || { echo "pgbench -i failed on '$1'" >&2; return 1; }
    psql -X -q -v ON_ERROR_STOP=1 -d "$1" -f "$E2E_TOP/tests/e2e/awkward.sql" >/dev/null ||
        { echo "loading awkward.sql into '$1' failed" >&2; return 1; }
}

# db_fingerprint DB: print what must survive a backup and a restore, one line per object: each user table's
# and view's row count and a checksum of its rows, each large object's checksum, each sequence's state,
# and the schema (pg_dump --schema-only without comments and the per-dump \restrict key).
db_fingerprint() {
    local db=$1
    psql -X -q -At -v ON_ERROR_STOP=1 -d "$db" <<'SQL' || return 1
SELECT format('SELECT %L || '' rows='' || count(*) || '' md5='' || coalesce(md5(string_agg(t::text, ''|'' ORDER BY t::text)), ''-'') FROM %s t',
              kind || ' ' || name, name)
FROM (SELECT 'table' AS kind, format('%I.%I', schemaname, tablename) AS name FROM pg_tables
      WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
      UNION ALL
      SELECT 'view', format('%I.%I', schemaname, viewname) FROM pg_views
      WHERE schemaname NOT IN ('pg_catalog', 'information_schema')) o
ORDER BY kind, name \gexec
SELECT 'large-object ' || oid || ' md5=' || md5(lo_get(oid)) FROM pg_largeobject_metadata ORDER BY oid;
SELECT format('sequence %I.%I last_value=%s', schemaname, sequencename, coalesce(last_value::text, 'null'))
FROM pg_sequences ORDER BY 1;
SQL
    pg_dump --schema-only --no-comments -d "$db" | grep -v -e '^--' -e '^\\restrict' -e '^\\unrestrict' -e '^$' |
        sed 's/^/schema /'
    [ "${PIPESTATUS[0]}" = 0 ]
}

# db_row_counts DB: "schema.table count" for each user table.
db_row_counts() {
    psql -X -q -At -F ' ' -v ON_ERROR_STOP=1 -d "$1" <<'SQL'
SELECT format('SELECT %L, count(*) FROM %I.%I', format('%I.%I', schemaname, tablename), schemaname, tablename)
FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1 \gexec
SQL
}

# db_same SRC DB: status 0 when DB has the same fingerprint as SRC; otherwise sets WHY and logs the diff.
db_same() {
    local a=$E2E_WORK/fp.$1 b=$E2E_WORK/fp.$2
    db_fingerprint "$1" >"$a" || { WHY="could not fingerprint database '$1'"; return 1; }
    db_fingerprint "$2" >"$b" || { WHY="could not fingerprint database '$2'"; return 1; }
    if ! diff -u "$a" "$b" >"$E2E_WORK/fp.diff"; then
        echo "--- fingerprint differences ('$1' -> '$2'):"
        head -n 40 "$E2E_WORK/fp.diff"
        WHY="database '$2' differs from '$1': $(grep -c '^[-+][^-+]' "$E2E_WORK/fp.diff") lines ($(grep -m1 '^[-+][^-+]' "$E2E_WORK/fp.diff" | cut -c1-120))"
        return 1
    fi
    echo "databases '$1' and '$2' match: $(grep -c '^table' "$a") tables, $(grep -c '^large-object' "$a") large objects, $(grep -c '^sequence' "$a") sequences"
    return 0
}

# ---------------------------------------------------------------------------------------------------------
# Cases

E2E_PASSED=0 E2E_FAILED=0 E2E_SKIPPED=0 _e2e_case_no=0
E2E_LOG_DIR=${E2E_LOG_DIR:-$E2E_TOP/tests/.tmp/e2e/$E2E_SCRIPT}
mkdir -p "$E2E_LOG_DIR" && rm -f "$E2E_LOG_DIR"/*.log
E2E_CASE_LOG=$E2E_LOG_DIR/00-setup.log
# fd 3 is the script's stdout: the case lines go there while a case's own output goes to its log.
exec 3>&1

# E2E_WORK: the private (0700) directory for repositories, keys and scratch files.
e2e_tmpdir E2E_WORK sd || exit 1
export E2E_WORK
OUT=$E2E_WORK/.out ERR=$E2E_WORK/.err RC=0 WHY=
: >"$OUT"
: >"$ERR"

ok() {
    E2E_PASSED=$((E2E_PASSED + 1))
    echo "ok - $1" >&3
}

fail() {
    E2E_FAILED=$((E2E_FAILED + 1))
    echo "not ok - $1: ${2:-failed}" >&3
    if [ -s "$E2E_CASE_LOG" ]; then
        echo "#   log: ${E2E_CASE_LOG#"$E2E_TOP"/}" >&3
        tail -n "${E2E_TAIL:-15}" "$E2E_CASE_LOG" | cut -c1-300 | sed 's/^/#   | /' >&3
    fi
}

skip() {
    E2E_SKIPPED=$((E2E_SKIPPED + 1))
    echo "skip - $1: ${2:-skipped}" >&3
}

# tcase NAME FUNC [ARGS...]: run one case (in this shell, so it may set variables for later cases).
tcase() {
    local name=$1 slug status
    shift
    _e2e_case_no=$((_e2e_case_no + 1))
    slug=$(printf '%s' "$name" | tr -c 'A-Za-z0-9._-' '-' | cut -c1-60)
    E2E_CASE_LOG=$(printf '%s/%02d-%s.log' "$E2E_LOG_DIR" "$_e2e_case_no" "$slug")
    WHY='' E2E_SAN_REPORT=''
    echo "=== $name" >"$E2E_CASE_LOG"
    "$@" >>"$E2E_CASE_LOG" 2>&1
    status=$?
    if [ "$status" = 0 ] && [ -n "$E2E_SAN_REPORT" ]; then
        status=1 WHY="sanitizer report: $E2E_SAN_REPORT"
    fi
    case $status in
    0) ok "$name" ;;
    77) skip "$name" "${WHY:-skipped}" ;;
    *) fail "$name" "${WHY:-returned $status}" ;;
    esac
    return 0
}

# tcase_must NAME FUNC [ARGS...]: a case the rest of the script depends on: when it fails, the script stops
# (and says so) instead of reporting a cascade of failures.
tcase_must() {
    local before=$E2E_FAILED
    tcase "$@"
    if [ "$E2E_FAILED" -gt "$before" ]; then
        echo "# $E2E_SCRIPT: stopping here: '$1' failed and the remaining cases depend on it" >&3
        finish
    fi
}

# finish: the script's exit status.
finish() {
    echo "# $E2E_SCRIPT: $E2E_PASSED passed, $E2E_FAILED failed, $E2E_SKIPPED skipped" >&2
    [ "$E2E_FAILED" -eq 0 ] && exit 0
    exit 1
}

# why MESSAGE: set the reason and fail (for `cond || why "..."`; the message also goes to the log).
why() {
    WHY=$*
    echo "FAILED: $WHY"
    return 1
}

# _e2e_show FILE: a short quote of a file for a WHY message.
_e2e_show() {
    tr '\n' ' ' <"$1" | cut -c1-200
}

# run CMD...: run a command, stdout to $OUT, stderr to $ERR, status to $RC; log all three.
run() {
    echo "\$ $*"
    "$@" >"$OUT" 2>"$ERR"
    RC=$?
    echo "[exit $RC]"
    if [ -s "$OUT" ]; then echo "[stdout]"; head -c 20000 "$OUT"; echo; fi
    if [ -s "$ERR" ]; then echo "[stderr]"; head -c 20000 "$ERR"; echo; fi
    san_scan "$ERR" "$1 ${2:-}"
    return 0
}

# san_scan FILE WHAT: note a sanitizer report in FILE (the stderr of WHAT): the case then fails.
san_scan() {
    if grep -q -E 'ERROR: (Address|Leak|Thread|Memory)Sanitizer|runtime error: ' "$1" 2>/dev/null; then
        E2E_SAN_REPORT="$2: $(grep -m1 -E 'Sanitizer|runtime error: ' "$1" | cut -c1-160)"
    fi
    return 0
}

# expect_exit STATUS CMD...: run CMD and check its exit status.
expect_exit() {
    local want=$1
    shift
    run "$@"
    [ "$RC" = "$want" ] && return 0
    if [ -s "$ERR" ]; then
        why "'${*:1:2}' exited $RC, expected $want; stderr: $(_e2e_show "$ERR")"
    else
        why "'${*:1:2}' exited $RC, expected $want; stdout: $(_e2e_show "$OUT")"
    fi
}

# expect_stderr_contains STRING: the last run's stderr contains STRING.
expect_stderr_contains() {
    grep -q -F -e "$1" "$ERR" && return 0
    why "stderr lacks '$1': $(_e2e_show "$ERR")"
}

# expect_stdout_contains STRING: the last run's stdout contains STRING.
expect_stdout_contains() {
    grep -q -F -e "$1" "$OUT" && return 0
    why "stdout lacks '$1': $(_e2e_show "$OUT")"
}

# expect_output_contains STRING: the last run's stdout or stderr contains STRING.
expect_output_contains() {
    cat "$OUT" "$ERR" | grep -q -F -e "$1" && return 0
    why "output lacks '$1': $(cat "$OUT" "$ERR" | tr '\n' ' ' | cut -c1-200)"
}

# expect_stderr_matches REGEX: the last run's stderr matches the extended regular expression.
expect_stderr_matches() {
    grep -q -E -e "$1" "$ERR" && return 0
    why "stderr does not match /$1/: $(_e2e_show "$ERR")"
}

# expect_error_format: the last run's stderr starts with "safedump: " and any further line is a "hint: ".
expect_error_format() {
    head -n 1 "$ERR" | grep -q '^safedump: ' || { why "stderr does not start with 'safedump: ': $(_e2e_show "$ERR")"; return 1; }
    return 0
}

# file_mode FILE: the octal permission bits.
file_mode() {
    stat -c '%a' "$1"
}

# file_size FILE: the size in bytes.
file_size() {
    stat -c '%s' "$1"
}
