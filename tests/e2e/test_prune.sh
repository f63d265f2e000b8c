#!/usr/bin/env bash
# End to end: retention. One real backup is cloned under the ids of earlier days (its manifest's id edited to
# match), then prune applies policies to that history: dry run, deletion with reasons, debris, the size cap,
# min_age, a manifest that cannot be read, an interrupted prune, and backup --prune.
# Run with tests/run.sh e2e/test_prune.sh (or directly with bash).
# shellcheck source=tests/e2e/lib.sh disable=SC2034,SC2317 # WHY is read by lib.sh; cases run through tcase
. "$(dirname "$0")/lib.sh"

need psql pg_dump pgbench python3
need_safedump

R=$E2E_WORK/repo
K=$E2E_WORK/key.txt
CONF=$E2E_WORK/safedump.conf
REC='' URL='' ID0=''

# history DAYS: clones of the real backup, one per day for DAYS days before it, each at 02:00 UTC.
history() {
    python3 - "$R/pj" "$ID0" "$1" <<'PY'
import datetime as dt, os, shutil, sys
root, id0, days = sys.argv[1], sys.argv[2], int(sys.argv[3])
t0 = dt.datetime.strptime(id0, "%Y%m%dT%H%M%SZ").replace(hour=2, minute=0, second=0)
for d in range(1, days + 1):
    nid = (t0 - dt.timedelta(days=d)).strftime("%Y%m%dT%H%M%SZ")
    dst = os.path.join(root, nid)
    if os.path.exists(dst):
        continue
    shutil.copytree(os.path.join(root, id0), dst)
    m = os.path.join(dst, "manifest.json")
    text = open(m).read().replace('"' + id0 + '"', '"' + nid + '"')
    open(m, "w").write(text)
PY
}

count() {
    find "$R/pj" -mindepth 2 -maxdepth 2 -name manifest.json | wc -l
}

conf() { # conf KEY=VALUE...: the configuration with these retention keys
    {
        printf '[defaults]\nrepository = %s\nrecipient = %s\n' "$R" "$REC"
        printf '%s\n' "$@"
        printf '[pj]\nsource = %s\n' "$URL"
    } >"$CONF"
}

t_setup() {
    pg_start || { WHY="PostgreSQL did not start"; return 1; }
    db_create pdb && pgbench -q -i -s 1 pdb >/dev/null 2>&1 || why "could not load pgbench" || return
    URL=$(pg_url pdb)
    expect_exit 0 "$SAFEDUMP" keygen -o "$K" || return
    REC=$(head -n 1 "$OUT")
    conf "keep_daily = 7"
    expect_exit 0 "$SAFEDUMP" --config "$CONF" backup pj || return
    ID0=$(sed -n "s/^backup 'pj' \([0-9T]*Z\).*/\1/p" "$OUT")
    [ -n "$ID0" ] || why "no backup id" || return
    history 40
    [ "$(count)" = 41 ] || why "expected 41 backups, found $(count)" || return
}

t_no_policy() {
    conf ""
    expect_exit 2 "$SAFEDUMP" --config "$CONF" prune pj || return
    expect_stderr_contains "no retention policy" || return
    [ "$(count)" = 41 ] || why "something was deleted without a policy" || return
}

t_dry_run() {
    conf "keep_daily = 7" "keep_weekly = 2" "min_age = 0s"
    expect_exit 0 "$SAFEDUMP" --config "$CONF" prune pj --dry-run || return
    [ "$(count)" = 41 ] || why "the dry run deleted backups" || return
    [ "$(grep -c '^  keep ' "$OUT")" -ge 7 ] || why "dry run keeps fewer than 7: $(_e2e_show "$OUT")" || return
    grep -q "^  delete  pj@.*no rule keeps it" "$OUT" || why "no reasoned delete line: $(_e2e_show "$OUT")" || return
    grep -q "^  keep    pj@$ID0 .*daily" "$OUT" || why "the newest is not kept as daily" || return
    expect_stdout_contains "would delete" || return
}

t_apply_and_rerun() {
    local kept
    conf "keep_daily = 7" "keep_weekly = 2" "min_age = 0s"
    expect_exit 0 "$SAFEDUMP" --config "$CONF" prune pj || return
    kept=$(count)
    [ "$kept" -ge 7 ] && [ "$kept" -le 9 ] || why "after daily 7 + weekly 2, $kept backups remain" || return
    [ -e "$R/pj/$ID0/manifest.json" ] || why "the newest backup was deleted" || return
    # deleted backups leave nothing, not even their directory
    [ "$(find "$R/pj" -mindepth 1 -maxdepth 1 -type d | wc -l)" = "$kept" ] || why "empty directories left" || return
    expect_exit 0 "$SAFEDUMP" --config "$CONF" prune pj || return
    [ "$(count)" = "$kept" ] || why "a second prune changed the result" || return
    expect_stdout_contains "deleted 0" || return
    expect_exit 0 "$SAFEDUMP" verify "pj@all" --repository "$R" || return
}

t_debris_and_interrupted() {
    local old
    history 40
    # a run that crashed 3 days ago: data, no manifest; and an interrupted prune: manifest gone, data left
    old=$(ls "$R/pj" | sort | sed -n 2p)
    rm "$R/pj/$old/manifest.json"
    mkdir -p "$R/pj/29990101T000000Z"
    cp "$R/pj/$ID0/data.dump.zst.age" "$R/pj/29990101T000000Z/" # a run "in progress" (future id): left alone
    conf "keep_daily = 3" "min_age = 0s" "debris_grace = 24h"
    expect_exit 0 "$SAFEDUMP" --config "$CONF" prune pj || return
    grep -q "^  debris  pj/$old/" "$OUT" || why "debris not reported: $(_e2e_show "$OUT")" || return
    [ ! -e "$R/pj/$old" ] || why "debris not removed" || return
    [ -e "$R/pj/29990101T000000Z/data.dump.zst.age" ] || why "a run younger than debris_grace was removed" || return
    grep -q "younger than debris_grace" "$OUT" || why "the young run is not explained" || return
    rm -rf "$R/pj/29990101T000000Z"
    [ "$(count)" = 3 ] || why "keep_daily 3 left $(count)" || return
}

t_size_cap_and_min_age() {
    local size
    history 10
    size=$(stat -c %s "$R/pj/$ID0/data.dump.zst.age")
    # room for about four backups: the oldest kept ones go first, the newest stays
    conf "keep_daily = 30" "min_age = 0s" "max_total_size = $((size * 4 + size / 2))"
    expect_exit 0 "$SAFEDUMP" --config "$CONF" prune pj || return
    [ "$(count)" = 4 ] || why "the size cap left $(count) backups, expected 4" || return
    grep -q "over max_total_size" "$OUT" || why "no 'over max_total_size' reason" || return
    # min_age: nothing younger than 100 days is deleted, whatever the rules say
    history 10
    conf "keep_last = 1" "min_age = 100d"
    expect_exit 0 "$SAFEDUMP" --config "$CONF" prune pj || return
    [ "$(count)" = 11 ] || why "min_age did not protect young backups ($(count) left)" || return
    grep -q "younger than min_age" "$OUT" || why "no min_age reason" || return
}

t_unreadable_manifest_stops() {
    local victim
    history 5
    victim=$(ls "$R/pj" | sort | head -n 1)
    echo '{"format": "safedump-manifest", "version": 99}' >"$R/pj/$victim/manifest.json"
    conf "keep_last = 1" "min_age = 0s"
    expect_exit 4 "$SAFEDUMP" --config "$CONF" prune pj || return
    expect_stderr_contains "cannot be read, nothing deleted" || return
    [ "$(count)" -ge 6 ] || why "the prune deleted despite an unreadable manifest" || return
    rm -rf "${R:?}/pj/$victim"
}

t_backup_prune() {
    conf "keep_last = 2" "min_age = 0s"
    sleep 1
    expect_exit 0 "$SAFEDUMP" --config "$CONF" backup pj --prune || return
    expect_stdout_contains "prune 'pj': kept 2" || return
    [ "$(count)" = 2 ] || why "backup --prune left $(count) backups" || return
}

tcase_must "start PostgreSQL, one real backup, 40 days of history" t_setup
tcase "no retention policy: prune refuses" t_no_policy
tcase "dry run: every backup with keep/delete and its reason, nothing deleted" t_dry_run
tcase "prune applies the policy; rerunning changes nothing; what is kept still verifies" t_apply_and_rerun
tcase "debris of a crashed run and of an interrupted prune is removed; a young run is left alone" t_debris_and_interrupted
tcase "max_total_size drops the oldest kept; min_age protects young backups" t_size_cap_and_min_age
tcase "a manifest that cannot be read stops the prune" t_unreadable_manifest_stops
tcase "backup --prune prunes after a good backup" t_backup_prune
finish
