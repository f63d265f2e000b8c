#!/usr/bin/env bash
# Alerts end to end, against real servers on loopback: a PostgreSQL 15 to back up, a real Prometheus
# Pushgateway (Debian's prometheus-pushgateway), a local HTTP receiver (http_receiver.py) for webhooks and
# ping URLs that can also answer 500 or hang, and a capturing sendmail-compatible program
# (sendmail_capture.sh). Checks the textfile collector file (parsed back), the series the Pushgateway
# exposes, webhook and ping bodies, the mail, the exec hooks' environment, the size anomaly warning, that
# failed notifications never fail a backup nor leak a URL's secret, and `check --freshness`.
# shellcheck source=tests/e2e/lib.sh disable=SC2034,SC2317 # WHY is read by lib.sh; cases run through tcase
. "$(dirname "$0")/lib.sh"

need age-keygen psql pg_dump pgbench python3 curl prometheus-pushgateway script
need_safedump

K=$E2E_WORK/key.txt REC='' ROWS=''
M=$E2E_WORK/metrics            # the textfile collector directory
MAIL=$E2E_WORK/mail            # where sendmail_capture.sh delivers
HOOKS=$E2E_WORK/hooks          # what the exec hooks recorded
RECV_LOG=$E2E_WORK/requests.jsonl
PGW='' RECV=''                 # http://127.0.0.1:PORT of the Pushgateway and the receiver
SECRET=hook-secret-0f9e8d7c    # a token in the URLs: never in safedump's output
export SENDMAIL_CAPTURE=$MAIL
mkdir -p "$M" "$MAIL" "$HOOKS"

# _bg_pids: background servers of this script, stopped at exit (by their own ids).
_bg_pids=()
_alerts_cleanup() {
    local p
    for p in "${_bg_pids[@]}"; do kill "$p" 2>/dev/null; done
    _e2e_cleanup
}
trap _alerts_cleanup EXIT

# wait_http URL: wait up to 20 s until URL answers.
wait_http() {
    for _ in $(seq 1 100); do
        curl -fsS -o /dev/null --max-time 1 "$1" 2>/dev/null && return 0
        sleep 0.2
    done
    return 1
}

t_setup() {
    pg_start || { WHY="PostgreSQL did not start"; return 1; }
    db_create app || { WHY="could not create database 'app'"; return 1; }
    pgbench -q -i -s 1 app >/dev/null 2>&1 || { WHY="pgbench -i failed"; return 1; }
    ROWS=$(db_row_counts app | awk '{ s += $2 } END { print s }')
    expect_exit 0 "$SAFEDUMP" keygen -o "$K" || return
    REC=$(head -n 1 "$OUT")
    # the receiver
    python3 "$E2E_TOP/tests/e2e/http_receiver.py" "$E2E_WORK/recv.port" "$RECV_LOG" >"$E2E_WORK/recv.log" 2>&1 &
    _bg_pids+=($!)
    for _ in $(seq 1 100); do [ -s "$E2E_WORK/recv.port" ] && break; sleep 0.1; done
    [ -s "$E2E_WORK/recv.port" ] || why "the HTTP receiver did not start: $(_e2e_show "$E2E_WORK/recv.log")" || return
    RECV=http://127.0.0.1:$(cat "$E2E_WORK/recv.port")
    # the Pushgateway
    local port
    port=$(freeport)
    prometheus-pushgateway --web.listen-address="127.0.0.1:$port" >"$E2E_WORK/pgw.log" 2>&1 &
    _bg_pids+=($!)
    PGW=http://127.0.0.1:$port
    wait_http "$PGW/-/ready" || why "the Pushgateway did not start: $(_e2e_show "$E2E_WORK/pgw.log")" || return
    # the hooks record their environment
    cat >"$E2E_WORK/hook.sh" <<HOOK
#!/bin/sh
env | grep -E '^(SAFEDUMP_|PGPASSWORD)' | sort >"$HOOKS/\$(basename "\$0").\$SAFEDUMP_STATUS"
HOOK
    chmod 700 "$E2E_WORK/hook.sh"
    ln -sf "$E2E_WORK/hook.sh" "$E2E_WORK/on_success"
    ln -sf "$E2E_WORK/hook.sh" "$E2E_WORK/on_failure"
}

# conf FILE [KEY=VALUE...]: a configuration with job 'app' and every alert pointing at the test servers;
# extra KEY=VALUE lines go into [defaults] (later keys of the same name win: they come after).
conf() {
    local f=$1 kv
    shift
    {
        echo "[defaults]"
        echo "repository = $E2E_WORK/repo"
        echo "recipient = $REC"
        echo "metrics_dir = $M"
        echo "pushgateway = $PGW"
        echo "notify_mail = admins@example.org"
        echo "sendmail = $E2E_TOP/tests/e2e/sendmail_capture.sh"
        echo "ping_url = $RECV/ok/ping/$SECRET"
        echo "on_success = $E2E_WORK/on_success"
        echo "on_failure = $E2E_WORK/on_failure"
        echo "notify_timeout = 2s"
        for kv in "$@"; do echo "${kv%%=*} = ${kv#*=}"; done
        echo "[app]"
        echo "source = $(pg_url app)"
    } >"$f"
}

# requests_since N: the receiver's requests after the first N, as JSON lines.
requests_since() {
    tail -n +"$(($1 + 1))" "$RECV_LOG" 2>/dev/null
}
nreq() {
    [ -f "$RECV_LOG" ] && wc -l <"$RECV_LOG" || echo 0
}

# prom_value FILE NAME: the value of series NAME{backup_job="app"} in an exposition text, parsed strictly.
prom_value() {
    python3 - "$1" "$2" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
seen = {}
for line in text.splitlines():
    if not line or line.startswith("#"):
        m = re.match(r"# (HELP|TYPE) (\S+) (.+)$", line)
        assert not line or m, "bad comment line: " + line
        continue
    m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\} (\S+)$', line)
    assert m, "bad sample line: " + line
    labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2)))
    float(m.group(3))
    if labels.get("backup_job") == "app":
        seen[m.group(1)] = m.group(3)
print(seen[sys.argv[2]])
PY
}

# expect_stdout_matches REGEX: the last run's stdout matches the extended regular expression.
expect_stdout_matches() {
    grep -q -E -e "$1" "$OUT" && return 0
    why "stdout does not match /$1/: $(_e2e_show "$OUT")"
}

# json_field FILE_OR_- KEY: a top-level field of a JSON document.
json_field() {
    local src=$1
    [ "$src" = - ] && src=/dev/stdin
    python3 -c 'import json,sys; print(json.loads(sys.stdin.read())[sys.argv[1]])' "$2" <"$src"
}

t_success() {
    local n0 t0 now v
    conf "$E2E_WORK/ok.conf" notify_on=always "webhook_url=$RECV/ok/hooks/$SECRET"
    n0=$(nreq)
    t0=$(date +%s)
    expect_exit 0 "$SAFEDUMP" backup --config "$E2E_WORK/ok.conf" || return
    grep -q warning "$ERR" && { why "warnings on a clean run: $(_e2e_show "$ERR")"; return 1; }
    # the textfile, parsed back
    [ -f "$M/safedump_app.prom" ] || why "no $M/safedump_app.prom" || return
    [ "$(file_mode "$M/safedump_app.prom")" = 600 ] || why "metrics file mode $(file_mode "$M/safedump_app.prom")" || return
    ls -A "$M" | grep -q '^\.' && { why "temporary files left in the metrics directory: $(ls -A "$M")"; return 1; }
    v=$(prom_value "$M/safedump_app.prom" safedump_last_success_timestamp_seconds) || why "unparsable textfile" || return
    now=$(date +%s)
    python3 -c "import sys; t=float('$v'); sys.exit(0 if $t0-2 <= t <= $now else 1)" ||
        why "last success timestamp $v is not between $t0 and $now" || return
    [ "$(prom_value "$M/safedump_app.prom" safedump_last_run_success)" = 1 ] || why "last_run_success is not 1" || return
    v=$(prom_value "$M/safedump_app.prom" safedump_last_rows)
    [ "$v" = "$ROWS" ] || why "safedump_last_rows is $v, the database has $ROWS rows" || return
    v=$(prom_value "$M/safedump_app.prom" safedump_last_stored_bytes)
    [ "$v" = "$(python3 -c "import json;print(json.load(open('$(ls -d "$E2E_WORK"/repo/app/*/ | tail -n 1)manifest.json'))['stored_bytes'])")" ] ||
        why "safedump_last_stored_bytes $v differs from the manifest" || return
    # the Pushgateway exposes the series with our grouping key
    curl -fsS "$PGW/metrics" >"$E2E_WORK/pgw.metrics" || why "cannot read the Pushgateway's /metrics" || return
    grep -E '^safedump_last_success_timestamp_seconds\{.*backup_job="app".*job="safedump".*\} ' "$E2E_WORK/pgw.metrics" ||
        grep -E '^safedump_last_success_timestamp_seconds\{.*job="safedump".*backup_job="app".*\} ' "$E2E_WORK/pgw.metrics" ||
        grep -E '^safedump_last_success_timestamp_seconds\{backup_job="app",.*\} ' "$E2E_WORK/pgw.metrics" ||
        why "the Pushgateway does not expose safedump_last_success_timestamp_seconds for app: $(grep safedump "$E2E_WORK/pgw.metrics" | head -n 3 | tr '\n' ' ')" || return
    grep -q "^safedump_last_rows{.*} $ROWS\$" "$E2E_WORK/pgw.metrics" || why "the Pushgateway lacks safedump_last_rows $ROWS" || return
    # ping: /start, then the success URL
    requests_since "$n0" >"$E2E_WORK/req.ok"
    cat "$E2E_WORK/req.ok"
    grep -q "\"path\": \"/ok/ping/$SECRET/start\"" "$E2E_WORK/req.ok" || why "no ping /start" || return
    grep -q "\"path\": \"/ok/ping/$SECRET\"" "$E2E_WORK/req.ok" || why "no success ping" || return
    # the webhook (notify_on = always): JSON with a text field
    grep "\"path\": \"/ok/hooks/$SECRET\"" "$E2E_WORK/req.ok" | head -n 1 | json_field - body >"$E2E_WORK/hook.json" ||
        why "no webhook request" || return
    [ "$(json_field "$E2E_WORK/hook.json" status)" = success ] || why "webhook status is not success" || return
    json_field "$E2E_WORK/hook.json" text | grep -q "backup 'app' .* succeeded" || why "webhook text: $(json_field "$E2E_WORK/hook.json" text)" || return
    [ "$(json_field "$E2E_WORK/hook.json" rows)" = $ROWS ] || why "webhook rows" || return
    # the mail (notify_on = always)
    local mail
    mail=$(ls "$MAIL"/mail.? 2>/dev/null | tail -n 1)
    [ -n "$mail" ] || why "no mail captured" || return
    grep -q '^To: admins@example.org$' "$mail" || why "mail lacks the To: header" || return
    grep -q "^Subject: \[safedump\] succeeded: backup 'app' on " "$mail" || why "mail subject: $(grep Subject "$mail")" || return
    grep -q "^rows: *$ROWS\$" "$mail" || why "mail body lacks the rows" || return
    grep -q -- '-t -i' "$mail.args" || why "sendmail not run with -t -i: $(cat "$mail.args")" || return
    # the success hook and its environment
    [ -f "$HOOKS/on_success.success" ] || why "on_success did not run" || return
    grep -q '^SAFEDUMP_JOB=app$' "$HOOKS/on_success.success" || why "hook lacks SAFEDUMP_JOB" || return
    grep -q "^SAFEDUMP_ROWS=$ROWS\$" "$HOOKS/on_success.success" || why "hook lacks SAFEDUMP_ROWS" || return
    grep -q '^SAFEDUMP_STORED_BYTES=[1-9]' "$HOOKS/on_success.success" || why "hook lacks SAFEDUMP_STORED_BYTES" || return
    [ ! -f "$HOOKS/on_failure.success" ] || why "on_failure ran after a success" || return
    rm -f "$MAIL"/mail.*
}

t_failure() {
    local n0 mail
    conf "$E2E_WORK/fail.conf" "webhook_url=$RECV/ok/hooks/$SECRET"
    sed -i "s|^source = .*|source = $(pg_url no_such_db)|" "$E2E_WORK/fail.conf"
    n0=$(nreq)
    expect_exit 1 "$SAFEDUMP" backup --config "$E2E_WORK/fail.conf" || return
    expect_stderr_contains 'does not exist' || return
    # metrics: the failure is recorded, the last success is kept
    [ "$(prom_value "$M/safedump_app.prom" safedump_last_run_success)" = 0 ] || why "last_run_success is not 0 after a failure" || return
    [ "$(prom_value "$M/safedump_app.prom" safedump_last_success_timestamp_seconds)" != 0 ] ||
        why "the failed run erased the last success timestamp" || return
    [ "$(prom_value "$M/safedump_app.prom" safedump_last_rows)" = $ROWS ] || why "the failed run erased the last good backup's rows" || return
    curl -fsS "$PGW/metrics" >"$E2E_WORK/pgw.metrics"
    grep -q '^safedump_last_run_success{.*backup_job="app".*} 0$' "$E2E_WORK/pgw.metrics" ||
        why "the Pushgateway does not show the failure: $(grep safedump_last_run_success "$E2E_WORK/pgw.metrics")" || return
    grep -q "^safedump_last_rows{.*} $ROWS\$" "$E2E_WORK/pgw.metrics" || why "the Pushgateway lost the last success's rows" || return
    # ping /fail with the error in the body
    requests_since "$n0" >"$E2E_WORK/req.fail"
    cat "$E2E_WORK/req.fail"
    grep "\"path\": \"/ok/ping/$SECRET/fail\"" "$E2E_WORK/req.fail" | json_field - body | grep -q 'does not exist' ||
        why "no /fail ping with the error in its body" || return
    # webhook (notify_on = failure)
    grep "\"path\": \"/ok/hooks/$SECRET\"" "$E2E_WORK/req.fail" | head -n 1 | json_field - body >"$E2E_WORK/hook.json" ||
        why "no webhook on failure" || return
    [ "$(json_field "$E2E_WORK/hook.json" status)" = failure ] || why "webhook status is not failure" || return
    json_field "$E2E_WORK/hook.json" error | grep -q 'does not exist' || why "webhook error field" || return
    # mail
    mail=$(ls "$MAIL"/mail.? 2>/dev/null | tail -n 1)
    [ -n "$mail" ] || why "no mail on failure" || return
    grep -q "^Subject: \[safedump\] FAILED: backup 'app' on " "$mail" || why "mail subject: $(grep Subject "$mail")" || return
    grep -q '^error: .*does not exist' "$mail" || why "mail lacks the error" || return
    # the failure hook
    grep -q '^SAFEDUMP_STATUS=failure$' "$HOOKS/on_failure.failure" || why "on_failure did not run with SAFEDUMP_STATUS=failure" || return
    grep -q '^SAFEDUMP_ERROR=.*does not exist' "$HOOKS/on_failure.failure" || why "hook lacks SAFEDUMP_ERROR" || return
    rm -f "$MAIL"/mail.*
}

# A notification that fails is a warning: the backup succeeds, the warning names the redacted URL.
t_receiver_failures() {
    local t0 t1 n0 recv_down
    recv_down=http://127.0.0.1:$(freeport)
    conf "$E2E_WORK/bad.conf" notify_on=always "webhook_url=$RECV/e500/hooks/$SECRET" \
        "ping_url=$recv_down/ping/$SECRET" "pushgateway=$RECV/slow/$SECRET" "on_success=$E2E_WORK/no-such-hook"
    n0=$(nreq)
    t0=$(date +%s)
    SENDMAIL_FAIL=1 expect_exit 0 "$SAFEDUMP" backup --config "$E2E_WORK/bad.conf" || return
    t1=$(date +%s)
    expect_stderr_matches "warning: backup 'app': webhook 'http://127.0.0.1:[0-9]+/\.\.\.': HTTP 500 \(3 tries\)" || return
    expect_stderr_matches "warning: backup 'app': ping URL 'http://127.0.0.1:[0-9]+/\.\.\.': .*(refused|connect)" || return
    expect_stderr_matches "warning: backup 'app': pushgateway 'http://127.0.0.1:[0-9]+/\.\.\.': .*(imeout|timed out)" || return
    expect_stderr_matches "warning: backup 'app': mail to 'admins@example.org': .*cannot queue message" || return
    expect_stderr_contains "hook '$E2E_WORK/no-such-hook'" || return
    if grep -q -F "$SECRET" "$OUT" "$ERR"; then why "a URL's secret appears in the output"; return 1; fi
    [ "$(grep -c "/e500/hooks/$SECRET" <(requests_since "$n0"))" = 3 ] || why "the webhook was not tried 3 times" || return
    # slow: 3 tries of 2 s and 1 s pauses; everything else is quick. Bounded, not hanging on the receiver.
    [ $((t1 - t0)) -lt 25 ] || why "the failed notifications took $((t1 - t0)) s" || return
    # the metrics file still got written
    [ "$(prom_value "$M/safedump_app.prom" safedump_last_run_success)" = 1 ] || why "textfile not updated" || return
}

t_size_anomaly() {
    local n0
    conf "$E2E_WORK/anom.conf" "webhook_url=$RECV/ok/hooks/$SECRET"
    psql_q app "TRUNCATE pgbench_accounts" || { WHY="truncate failed"; return 1; }
    n0=$(nreq)
    expect_exit 0 "$SAFEDUMP" backup --config "$E2E_WORK/anom.conf" || return
    expect_stderr_matches "warning: backup 'app': size anomaly: .* is [0-9]+% of the previous backup's" || return
    v=$(prom_value "$M/safedump_app.prom" safedump_last_size_ratio)
    python3 -c "import sys; sys.exit(0 if 0 < float('$v') < 0.5 else 1)" || why "size ratio metric is $v" || return
    [ "$(prom_value "$M/safedump_app.prom" safedump_last_run_warning)" = 1 ] || why "last_run_warning is not 1" || return
    requests_since "$n0" | grep "\"path\": \"/ok/hooks/$SECRET\"" | head -n 1 | json_field - body >"$E2E_WORK/hook.json" ||
        why "no webhook for the warning (notify_on = failure)" || return
    [ "$(json_field "$E2E_WORK/hook.json" status)" = warning ] || why "webhook status is not warning" || return
    json_field "$E2E_WORK/hook.json" warning | grep -q 'size anomaly' || why "webhook lacks the warning" || return
    grep -q '^SAFEDUMP_WARNING=size anomaly' "$HOOKS/on_failure.warning" || why "on_failure did not get the warning" || return
    requests_since "$n0" | grep -q "/ok/ping/$SECRET/fail" || why "no /fail ping for the warning" || return
}

t_freshness() {
    local c=$E2E_WORK/fresh.conf
    printf '[defaults]\nrepository = %s\nrecipient = %s\nmax_age = 1h\n[app]\nsource = %s\n[never]\nsource = %s\n' \
        "$E2E_WORK/repo" "$REC" "$(pg_url app)" "$(pg_url app)" >"$c"
    expect_exit 0 "$SAFEDUMP" check --freshness --config "$c" app || return
    expect_stdout_contains "job 'app': ok: newest backup" || return
    expect_exit 1 "$SAFEDUMP" check --freshness --config "$c" || return
    expect_stdout_contains "job 'app': ok" || return
    expect_stdout_contains "job 'never': STALE: no complete backup" || return
    expect_stderr_contains "safedump: freshness: 1 of 2 jobs have no backup newer than their max_age" || return
    expect_stderr_contains "hint: " || return
    sleep 2
    expect_exit 1 "$SAFEDUMP" check --freshness --config "$c" --max-age 1s app || return
    expect_stdout_matches "job 'app': STALE: newest backup [0-9T]+Z finished [0-9]+s ago \(max_age 1s\)" || return
    # without a configuration: every job found in the repository
    expect_exit 2 "$SAFEDUMP" check --freshness --config "$E2E_WORK/missing.conf" --repository "$E2E_WORK/repo" || return
    SAFEDUMP_CONFIG= expect_exit 0 "$SAFEDUMP" check --freshness --repository "$E2E_WORK/repo" --max-age 2d || return
    expect_stdout_contains "job 'app': ok" || return
    expect_exit 2 "$SAFEDUMP" check --freshness --max-age soon --repository "$E2E_WORK/repo" || return
    expect_error_format || return
    # without --freshness: the configuration, recipients and repositories
    expect_exit 0 "$SAFEDUMP" check --config "$c" || return
    expect_stdout_contains "job 'app': ok: 1 recipient, repository '$E2E_WORK/repo'" || return
    expect_stdout_contains "configuration '$c': 2 jobs" || return
    printf '[defaults]\nrepository = %s\nrecipient = age1bad\n[app]\nsource = %s\n' "$E2E_WORK/repo" "$(pg_url app)" >"$c"
    expect_exit 2 "$SAFEDUMP" check --config "$c" || return
    expect_stderr_contains "job 'app': recipient 'age1bad'" || return
}

t_bad_config() {
    printf '[defaults]\nnotify_on = sometimes\n' >"$E2E_WORK/badv.conf"
    expect_exit 2 "$SAFEDUMP" backup --config "$E2E_WORK/badv.conf" || return
    expect_stderr_contains "badv.conf:2: key 'notify_on': notify_on 'sometimes': expected failure or always" || return
    printf '[defaults]\nwebhook_url = chat.example.org/hook\n' >"$E2E_WORK/badv.conf"
    expect_exit 2 "$SAFEDUMP" backup --config "$E2E_WORK/badv.conf" || return
    expect_stderr_contains "not an http:// or https:// URL" || return
}

# --log-format=json: every record one JSON object per line on stderr, nothing else.
t_json_logs() {
    conf "$E2E_WORK/json.conf" "webhook_url=$RECV/e500/hooks/$SECRET"
    sed -i "s|^source = .*|source = $(pg_url no_such_db)|" "$E2E_WORK/json.conf"
    expect_exit 1 "$SAFEDUMP" --log-format=json backup --config "$E2E_WORK/json.conf" || return
    [ ! -s "$OUT" ] || why "stdout is not empty with --log-format=json: $(_e2e_show "$OUT")" || return
    python3 - "$ERR" <<'PY' || { WHY="stderr is not one JSON object per line (see log)"; return 1; }
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
levels = [r["level"] for r in recs]
assert levels[-1] == "error" and "does not exist" in recs[-1]["msg"], recs[-1]
assert any(r["level"] == "warning" and r.get("job") == "app" and "webhook" in r["msg"] for r in recs), recs
assert all(set(r) >= {"time", "level", "msg"} for r in recs), recs
print(len(recs), "records", levels)
PY
    if grep -q -F "$SECRET" "$ERR"; then why "a URL's secret appears in the JSON log"; return 1; fi
    expect_exit 2 "$SAFEDUMP" --log-format=xml list || return
    expect_stderr_contains "--log-format 'xml': expected text or json" || return
}

t_quiet_verbose() {
    conf "$E2E_WORK/qv.conf" notify_on=always "webhook_url=$RECV/ok/hooks/$SECRET"
    expect_exit 0 "$SAFEDUMP" --quiet backup --config "$E2E_WORK/qv.conf" || return
    [ ! -s "$OUT" ] && [ ! -s "$ERR" ] || why "--quiet printed something on a clean run" || return
    expect_exit 0 "$SAFEDUMP" --verbose backup --config "$E2E_WORK/qv.conf" || return
    expect_stdout_contains "backup 'app' " || return
    expect_stderr_matches "safedump: backup 'app': webhook 'http://127.0.0.1:[0-9]+/\.\.\.' sent" || return
    expect_stderr_contains "safedump: backup 'app': mail to 'admins@example.org' sent" || return
    if grep -q -F "$SECRET" "$OUT" "$ERR"; then why "a URL's secret appears in the verbose output"; return 1; fi
    rm -f "$MAIL"/mail.*
}

# Progress on a terminal (script(1) gives safedump a pty), nothing of it otherwise; NO_COLOR honoured.
t_progress_tty() {
    local slow=$E2E_WORK/slow_pg_dump
    # pg_dump's output with a pause after the first 64 KiB: the run lasts long enough to show progress
    printf '#!/bin/bash
set -o pipefail
"%s/pg_dump" "$@" | { head -c 65536; sleep 1.5; cat; }
' "$PGBIN" >"$slow"
    chmod 700 "$slow"
    conf "$E2E_WORK/tty.conf" "pg_dump=$slow"
    pgbench -q -i -s 1 app >/dev/null 2>&1 || { WHY="pgbench -i failed"; return 1; }
    TERM=xterm run script -q -e -c "$SAFEDUMP backup --config $E2E_WORK/tty.conf" /dev/null
    [ "$RC" = 0 ] || why "backup on a pty exited $RC" || return
    grep -a -q -E "app: [0-9.]+ (KiB|MiB|B) read at [0-9.]+ (KiB|MiB|B)/s, [0-9.]+ (KiB|MiB|B) stored, 0:0[0-9] elapsed, ETA ~[0-9]+:[0-9]{2}" "$OUT" ||
        why "no progress line with an ETA on the terminal: $(tr '\r' '\n' <"$OUT" | head -c 300)" || return
    # not a terminal: no progress at all
    expect_exit 0 "$SAFEDUMP" backup --config "$E2E_WORK/tty.conf" || return
    if grep -a -q -e "read at" -e $'\r' "$OUT" "$ERR"; then why "progress output without a terminal"; return 1; fi
    # colour on a terminal, none with NO_COLOR
    sed -i "s|^source = .*|source = $(pg_url no_such_db)|" "$E2E_WORK/tty.conf"
    TERM=xterm run script -q -e -c "$SAFEDUMP backup --config $E2E_WORK/tty.conf" /dev/null
    grep -a -q $'\033\[1;31msafedump:' "$OUT" || why "no colour on a terminal" || return
    TERM=xterm NO_COLOR=1 run script -q -e -c "$SAFEDUMP backup --config $E2E_WORK/tty.conf" /dev/null
    [ "$RC" = 1 ] || why "a failed backup on a pty exited $RC" || return
    grep -a -q '^safedump: .*does not exist' "$OUT" || why "no plain error line with NO_COLOR" || return
    if grep -a -q $'\033\[1;3' "$OUT"; then why "colour despite NO_COLOR"; return 1; fi
}

tcase_must "setup: PostgreSQL, Pushgateway, HTTP receiver" t_setup
tcase_must "success: textfile, Pushgateway, ping, webhook, mail, hook" t_success
tcase "failure: metrics keep the last success; /fail ping, webhook, mail, hook" t_failure
tcase "receiver down, HTTP 500, slow, sendmail failing: warnings only" t_receiver_failures
tcase "size anomaly: warning in log, metrics and notifications" t_size_anomaly
tcase "check --freshness" t_freshness
tcase "bad alert settings are configuration errors" t_bad_config
tcase "--log-format=json: one JSON object per line" t_json_logs
tcase "--quiet and --verbose" t_quiet_verbose
tcase "progress line and colour on a terminal only, NO_COLOR" t_progress_tty
finish
