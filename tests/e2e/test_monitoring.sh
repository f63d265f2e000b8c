#!/usr/bin/env bash
# The monitoring files under monitoring/: the Prometheus alerting rules pass `promtool check rules`, their
# unit tests pass `promtool test rules`, the Grafana dashboard is valid JSON whose queries parse as PromQL,
# and every safedump_* series the rules and the dashboard use is one that safedump writes.
# shellcheck source=tests/e2e/lib.sh disable=SC2034,SC2317 # WHY is read by lib.sh; cases run through tcase
. "$(dirname "$0")/lib.sh"

need promtool python3

MON=$E2E_TOP/monitoring

t_check_rules() {
    expect_exit 0 promtool check rules "$MON/safedump.rules.yml" || return
    expect_stdout_contains "SUCCESS: 6 rules found" || return
}

t_test_rules() {
    # promtool resolves rule_files relative to the test file
    expect_exit 0 promtool test rules "$MON/safedump.rules.test.yml" || return
    expect_stdout_contains "SUCCESS" || return
}

# A rule that does not fire where it should makes the unit tests fail (they are not vacuous).
t_test_rules_can_fail() {
    sed 's/> 26 \* 3600/> 30 * 3600/' "$MON/safedump.rules.yml" >"$E2E_WORK/mutant.rules.yml"
    sed "s|- safedump.rules.yml|- $E2E_WORK/mutant.rules.yml|" "$MON/safedump.rules.test.yml" >"$E2E_WORK/mutant.test.yml"
    expect_exit 1 promtool test rules "$E2E_WORK/mutant.test.yml" || return
    expect_output_contains "SafedumpNoRecentBackup" || return
}

# The dashboard's queries, as recording rules for promtool to parse.
t_dashboard() {
    python3 - "$MON/grafana-dashboard.json" "$E2E_WORK/dash.rules.yml" <<'PY' || { WHY="dashboard JSON: see log"; return 1; }
import json, sys
d = json.load(open(sys.argv[1]))
assert d["uid"] == "safedump" and d["panels"], "no uid or panels"
exprs = [t["expr"] for p in d["panels"] for t in p.get("targets", [])]
assert len(exprs) >= 8, exprs
with open(sys.argv[2], "w") as f:
    f.write("groups:\n  - name: dashboard\n    rules:\n")
    for i, e in enumerate(exprs):
        f.write("      - record: dashboard:q%d\n        expr: %s\n" % (i, json.dumps(e.replace("$backup_job", ".*"))))
print(len(exprs), "queries")
PY
    expect_exit 0 promtool check rules "$E2E_WORK/dash.rules.yml" || return
}

t_series_exist() {
    local n missing=''
    for n in $(grep -h -o 'safedump_[a-z_]*' "$MON/safedump.rules.yml" "$MON/grafana-dashboard.json" | sort -u); do
        grep -q "\"$n\|$n{" "$E2E_TOP/src/alert/metrics.c" || missing="$missing $n"
    done
    [ -z "$missing" ] || why "series used by the monitoring files that safedump never writes:$missing"
}

tcase "promtool check rules" t_check_rules
tcase "promtool test rules" t_test_rules
tcase "the rule tests fail for a wrong threshold" t_test_rules_can_fail
tcase "grafana dashboard: valid JSON, queries parse" t_dashboard
tcase "rules and dashboard use only series safedump writes" t_series_exist
finish
