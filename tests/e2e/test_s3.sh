#!/usr/bin/env bash
# End to end against S3 on loopback. Against s3rver (a real S3 implementation, npm s3rver 3.7.1): backup of
# a database large enough for a multipart upload, list, verify with and without the key, restore into a new
# database, the stored object read back with `aws s3 cp` and decrypted with age + zstd, and clear errors for
# a missing bucket, a wrong endpoint and missing credentials. Against tests/e2e/s3fake.py (a scripted fake
# S3 server): 503/429 storms, a connection cut mid-part, a GET cut mid-body (resumed with a Range), a retry
# budget that runs out (the multipart upload is aborted and nothing appears), Content-MD5 on every part,
# If-None-Match on the manifest, and a write-only backup (every GET and list refused) that succeeds while
# list fails with a hint.
# shellcheck source=tests/e2e/lib.sh disable=SC2034,SC2317 # WHY is read by lib.sh; cases run through tcase
. "$(dirname "$0")/lib.sh"

need age age-keygen zstd psql pg_dump pg_restore python3 node
need_safedump
AWS=/usr/bin/aws
if [ ! -x "$AWS" ]; then
    echo "skip - all cases: /usr/bin/aws is not installed (scripts/setup.sh installs awscli)" >&3
    exit 77
fi
S3RVER=$E2E_TOP/tests/.node/node_modules/s3rver/bin/s3rver.js
if [ ! -f "$S3RVER" ]; then
    echo "skip - all cases: s3rver is not installed under tests/.node (run scripts/setup.sh)" >&3
    exit 77
fi

K=$E2E_WORK/key.txt REC='' ID1='' S3PORT='' FAKEPORT=''
FAKE_SCRIPT=$E2E_WORK/fake.rules FAKE_LOG=$E2E_WORK/fake.log
export TMPDIR=$E2E_WORK/tmpdir
mkdir -p "$TMPDIR"
unset AWS_CA_BUNDLE AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL_S3 AWS_DEFAULT_REGION
export AWS_SHARED_CREDENTIALS_FILE=$E2E_WORK/no-such-credentials AWS_CONFIG_FILE=$E2E_WORK/no-such-config

# s3env PORT CMD...: run CMD with the S3 credentials and endpoint of the server on PORT.
s3env() {
    local port=$1
    shift
    AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_REGION=us-east-1 \
        AWS_ENDPOINT_URL=http://127.0.0.1:$port "$@"
}

backup_id() {
    sed -n "s/^backup '$1' \([0-9]\{8\}T[0-9]\{6\}Z\).*/\1/p" "$OUT" | head -n 1
}

wait_port() {
    local i
    for i in $(seq 1 100); do
        (exec 9<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

t_setup() {
    pg_start || why "PostgreSQL did not start" || return
    db_load_awkward srcdb || why "could not load the awkward database" || return
    # about 8 MiB after compression: more than one 5 MiB part
    psql_q srcdb "create table noise as select i, md5(random()::text) || md5(random()::text) as h
                  from generate_series(1, 250000) i" || why "could not create table noise" || return
    expect_exit 0 "$SAFEDUMP" keygen -o "$K" || return
    REC=$(head -n 1 "$OUT")
    S3PORT=$(freeport)
    mkdir -p "$E2E_WORK/s3rver"
    node --openssl-legacy-provider "$S3RVER" -d "$E2E_WORK/s3rver" -a 127.0.0.1 -p "$S3PORT" --silent \
        --configure-bucket test-bucket >"$E2E_WORK/s3rver.log" 2>&1 &
    e2e_bg $!
    wait_port "$S3PORT" || why "s3rver did not start: $(tail -c 300 "$E2E_WORK/s3rver.log")" || return
    FAKEPORT=$(freeport)
    : >"$FAKE_SCRIPT"
    /usr/bin/python3 -c 'import botocore' || why "Debian's python3-botocore is not installed (scripts/setup.sh)" || return
    S3FAKE_SECRET=S3RVER /usr/bin/python3 "$E2E_TOP/tests/e2e/s3fake.py" "$FAKEPORT" "$FAKE_SCRIPT" "$FAKE_LOG" \
        >"$E2E_WORK/fake.out" 2>&1 &
    e2e_bg $!
    wait_port "$FAKEPORT" || why "the fake S3 server did not start: $(tail -c 300 "$E2E_WORK/fake.out")" || return
    cat >"$E2E_WORK/s3.conf" <<CONF
[defaults]
repository = s3://test-bucket/prod
recipient = $REC
s3_part_size = 5M
s3_retries = 3
CONF
}

t_backup() {
    s3env "$S3PORT" expect_exit 0 "$SAFEDUMP" backup --config "$E2E_WORK/s3.conf" --source "$(pg_url srcdb)" || return
    ID1=$(backup_id srcdb)
    [ -n "$ID1" ] || why "no backup id on stdout: $(_e2e_show "$OUT")" || return
    s3env "$S3PORT" run "$AWS" --endpoint-url "http://127.0.0.1:$S3PORT" s3 ls --recursive s3://test-bucket/prod/
    local f
    for f in data.dump.zst.age contents.age manifest.json; do
        grep -q "prod/srcdb/$ID1/$f" "$OUT" || why "s3://test-bucket/prod/srcdb/$ID1/$f missing: $(_e2e_show "$OUT")" || return
    done
    # the data object went up in several parts
    local size
    size=$(awk -v k="prod/srcdb/$ID1/data.dump.zst.age" '$4 == k {print $3}' "$OUT")
    [ "${size:-0}" -gt $((5 * 1024 * 1024)) ] || why "data object is $size bytes: too small for a multipart upload" || return
}

t_list_verify() {
    s3env "$S3PORT" expect_exit 0 "$SAFEDUMP" list --config "$E2E_WORK/s3.conf" || return
    expect_stdout_contains "$ID1" || return
    s3env "$S3PORT" expect_exit 0 "$SAFEDUMP" verify --config "$E2E_WORK/s3.conf" || return
    s3env "$S3PORT" expect_exit 0 "$SAFEDUMP" verify "srcdb@$ID1" --config "$E2E_WORK/s3.conf" --identity "$K" || return
    s3env "$S3PORT" expect_exit 0 "$SAFEDUMP" check --freshness srcdb --config "$E2E_WORK/s3.conf" || return
    expect_stdout_contains "job 'srcdb': ok" || return
}

t_restore() {
    s3env "$S3PORT" expect_exit 0 "$SAFEDUMP" restore "srcdb@$ID1" --config "$E2E_WORK/s3.conf" --identity "$K" \
        --to "$(pg_url restored)" || return
    db_same srcdb restored
}

t_aws_cli_interop() {
    local obj=$E2E_WORK/data.age sum
    s3env "$S3PORT" expect_exit 0 "$AWS" --endpoint-url "http://127.0.0.1:$S3PORT" s3 cp "s3://test-bucket/prod/srcdb/$ID1/data.dump.zst.age" "$obj" || return
    s3env "$S3PORT" expect_exit 0 "$AWS" --endpoint-url "http://127.0.0.1:$S3PORT" s3 cp "s3://test-bucket/prod/srcdb/$ID1/manifest.json" "$E2E_WORK/m.json" || return
    sum=$(sha256sum "$obj" | cut -d' ' -f1)
    grep -q -i "$sum" "$E2E_WORK/m.json" || why "the manifest lacks the SHA-256 of the object aws downloaded" || return
    age -d -i "$K" "$obj" | zstd -d | pg_restore --list >"$E2E_WORK/toc.txt" ||
        why "age -d | zstd -d | pg_restore --list failed on the downloaded object" || return
    grep -q 'TABLE DATA public noise' "$E2E_WORK/toc.txt" || why "the archive lacks table noise" || return
}

t_no_bucket() {
    AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_ENDPOINT_URL=http://127.0.0.1:$S3PORT \
        expect_exit 1 "$SAFEDUMP" list --repository s3://no-such-bucket/x || return
    expect_error_format || return
    expect_stderr_contains "s3://no-such-bucket/" || return
    expect_stderr_contains "NoSuchBucket" || return
    expect_stderr_contains "hint: bucket 'no-such-bucket' does not exist" || return
}

t_wrong_endpoint() {
    local closed
    closed=$(freeport)
    AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_ENDPOINT_URL=http://127.0.0.1:$closed \
        expect_exit 1 "$SAFEDUMP" list --repository s3://test-bucket/prod || return
    expect_stderr_contains "s3://test-bucket/prod/" || return
    expect_stderr_contains "hint: check s3_endpoint (http://127.0.0.1:$closed)" || return
}

t_no_credentials() {
    AWS_ACCESS_KEY_ID='' AWS_SECRET_ACCESS_KEY='' HOME=$E2E_WORK expect_exit 2 "$SAFEDUMP" list --repository s3://test-bucket/prod || return
    expect_stderr_contains "no S3 credentials" || return
    expect_stderr_contains "hint: set AWS_ACCESS_KEY_ID" || return
}

t_credentials_file() {
    mkdir -p "$E2E_WORK/home/.aws"
    printf '[default]\naws_access_key_id = WRONG\naws_secret_access_key = x\n[backup]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n' \
        >"$E2E_WORK/home/.aws/credentials"
    chmod 600 "$E2E_WORK/home/.aws/credentials"
    AWS_ACCESS_KEY_ID='' AWS_SECRET_ACCESS_KEY='' AWS_SHARED_CREDENTIALS_FILE='' HOME=$E2E_WORK/home \
        AWS_PROFILE=backup AWS_ENDPOINT_URL=http://127.0.0.1:$S3PORT expect_exit 0 "$SAFEDUMP" list --repository s3://test-bucket/prod || return
    expect_stdout_contains "$ID1" || return
    # the secret never shows in an error
    AWS_ACCESS_KEY_ID='' AWS_SECRET_ACCESS_KEY='' AWS_SHARED_CREDENTIALS_FILE='' HOME=$E2E_WORK/home \
        AWS_ENDPOINT_URL=http://127.0.0.1:$S3PORT expect_exit 1 "$SAFEDUMP" list --repository s3://test-bucket/prod || return
    expect_stderr_contains "InvalidAccessKeyId" || return
}

# The fake server: each case writes its rules, then runs a backup of the small database.
fake_backup() {
    : >"$FAKE_LOG"
    s3env "$FAKEPORT" run "$SAFEDUMP" backup --config "$E2E_WORK/s3.conf" --source "$(pg_url srcdb)"
}

t_fake_503_storm() {
    printf 'POST uploads 2 503\nPUT partNumber 3 503\nPUT contents.age 2 429\nPOST uploadId 1 500\n' >"$FAKE_SCRIPT"
    fake_backup
    [ "$RC" = 0 ] || why "backup through a 503 storm exited $RC: $(_e2e_show "$ERR")" || return
    [ "$(grep -c ' 503 ' "$FAKE_LOG")" -ge 5 ] || why "the fake did not answer 503 five times: $(_e2e_show "$FAKE_LOG")" || return
    grep -q ' 429 ' "$FAKE_LOG" || why "no 429 was answered" || return
    grep -q '^POST .*uploadId=.* 200 ' "$FAKE_LOG" || why "the upload was not completed after a 500" || return
}

t_fake_cut_connection() {
    printf 'PUT partNumber=2 1 cut\nPUT manifest.json 1 cut\n' >"$FAKE_SCRIPT"
    fake_backup
    [ "$RC" = 0 ] || why "backup with a cut connection exited $RC: $(_e2e_show "$ERR")" || return
    grep -q ' cut ' "$FAKE_LOG" || why "no connection was cut" || return
}

t_fake_md5_and_if_none_match() {
    printf '* * 0 require-md5\n* * 0 honour-if-none-match\n' >"$FAKE_SCRIPT"
    fake_backup
    [ "$RC" = 0 ] || why "backup exited $RC: $(_e2e_show "$ERR")" || return
    local bad
    bad=$(grep '^PUT ' "$FAKE_LOG" | grep -v ' md5 ' | head -n 3)
    [ -z "$bad" ] || why "PUT without Content-MD5: $bad" || return
    grep '^PUT .*manifest.json' "$FAKE_LOG" | grep -q ' inm ' || why "the manifest PUT lacks If-None-Match: *" || return
    # an object that exists is not replaced: the fake answers 412 and the backup fails
    printf 'PUT manifest.json 1 412\n' >"$FAKE_SCRIPT"
    fake_backup
    [ "$RC" = 1 ] || why "backup over an existing manifest exited $RC" || return
    expect_stderr_contains "already exists" || return
}

t_fake_budget_runs_out() {
    printf 'PUT partNumber=2 100 503\n' >"$FAKE_SCRIPT"
    s3env "$FAKEPORT" expect_exit 0 "$SAFEDUMP" list --config "$E2E_WORK/s3.conf" || return
    awk 'NR > 1 {print $2}' "$OUT" >"$E2E_WORK/before.txt"
    fake_backup
    [ "$RC" = 1 ] || why "backup against an endless 503 exited $RC" || return
    expect_error_format || return
    expect_stderr_matches "upload 's3://test-bucket/prod/srcdb/[0-9TZ]+/data.dump.zst.age': HTTP 503 SlowDown" || return
    [ "$(grep -c 'partNumber=2.* 503 ' "$FAKE_LOG")" = 4 ] || why "expected 4 attempts of part 2 (s3_retries = 3)" || return
    grep -q '^DELETE .*uploadId=.* 204 ' "$FAKE_LOG" || why "the multipart upload was not aborted" || return
    : >"$FAKE_SCRIPT"
    s3env "$FAKEPORT" expect_exit 0 "$SAFEDUMP" list --config "$E2E_WORK/s3.conf" || return
    awk 'NR > 1 {print $2}' "$OUT" | cmp -s - "$E2E_WORK/before.txt" || why "the failed backup is listed: $(_e2e_show "$OUT")" || return
}

t_fake_get_cut_resumes() {
    : >"$FAKE_SCRIPT"
    fake_backup
    [ "$RC" = 0 ] || why "backup exited $RC" || return
    printf 'GET data.dump 1 cutbody\n' >"$FAKE_SCRIPT"
    : >"$FAKE_LOG"
    s3env "$FAKEPORT" expect_exit 0 "$SAFEDUMP" verify srcdb@latest --config "$E2E_WORK/s3.conf" --identity "$K" || return
    grep -q ' cutbody ' "$FAKE_LOG" || why "the body was not cut" || return
    grep -q '^GET .*data.dump.zst.age 206 .* bytes=[1-9][0-9]*-' "$FAKE_LOG" || why "no resumed GET with a Range" || return
}

t_fake_botocore_signatures() {
    # every request of the cases before was checked by botocore; none differed
    [ -s "$FAKE_LOG.sig" ] || why "the fake checked no signature" || return
    ! grep -q MISMATCH "$FAKE_LOG.sig" || why "botocore signs differently: $(grep -A3 -m1 MISMATCH "$FAKE_LOG.sig" | tr '\n' ' ')" || return
    # a prefix with characters that need encoding, in the path and in ListObjectsV2's prefix parameter
    : >"$FAKE_SCRIPT"
    local repo="s3://test-bucket/odd prefix+é=&x~(1)*'!"
    s3env "$FAKEPORT" expect_exit 0 "$SAFEDUMP" backup --repository "$repo" --recipient "$REC" --source "$(pg_url srcdb)" || return
    s3env "$FAKEPORT" expect_exit 0 "$SAFEDUMP" list --repository "$repo" || return
    expect_stdout_contains "srcdb" || return
    s3env "$FAKEPORT" expect_exit 0 "$SAFEDUMP" verify srcdb@latest --repository "$repo" --identity "$K" || return
    ! grep -q MISMATCH "$FAKE_LOG.sig" || why "botocore signs differently: $(grep -A3 -m1 MISMATCH "$FAKE_LOG.sig" | tr '\n' ' ')" || return
    grep -q "^ok PUT /test-bucket/odd%20prefix%2B%C3%A9%3D%26x~%281%29%2A%27%21/srcdb/" "$FAKE_LOG.sig" ||
        why "no signed PUT under the encoded prefix: $(grep -m2 'odd' "$FAKE_LOG.sig" | tr '\n' ' ')" || return
    # a wrong secret is refused by the checking server, with a hint
    AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=wrong AWS_ENDPOINT_URL=http://127.0.0.1:$FAKEPORT \
        expect_exit 1 "$SAFEDUMP" list --repository "$repo" || return
    expect_stderr_contains "HTTP 403 SignatureDoesNotMatch" || return
    expect_stderr_contains "hint: the secret access key does not belong to the access key id 'S3RVER'" || return
}

t_fake_region_skew() {
    printf 'GET list-type 1 region\n' >"$FAKE_SCRIPT"
    s3env "$FAKEPORT" expect_exit 1 "$SAFEDUMP" list --config "$E2E_WORK/s3.conf" || return
    expect_stderr_contains "HTTP 301 PermanentRedirect" || return
    expect_stderr_contains "hint: bucket 'test-bucket' is in region 'eu-west-3', not 'us-east-1': set s3_region = eu-west-3" || return
    printf 'GET list-type 1 skew\n' >"$FAKE_SCRIPT"
    s3env "$FAKEPORT" expect_exit 1 "$SAFEDUMP" list --config "$E2E_WORK/s3.conf" || return
    expect_stderr_contains "HTTP 403 RequestTimeTooSkewed" || return
    expect_stderr_matches "hint: the local clock is 3[56][0-9][0-9] s behind the server's" || return
    : >"$FAKE_SCRIPT"
}

t_fake_write_only() {
    # credentials that may only put: every GET (read and list) is refused
    printf 'GET * 100000 403\nDELETE * 100000 403\n' >"$FAKE_SCRIPT"
    fake_backup
    [ "$RC" = 0 ] || why "a write-only backup exited $RC: $(_e2e_show "$ERR")" || return
    s3env "$FAKEPORT" expect_exit 1 "$SAFEDUMP" list --config "$E2E_WORK/s3.conf" || return
    expect_stderr_contains "HTTP 403 AccessDenied" || return
    expect_stderr_contains "hint: the credentials need s3:ListBucket on 'test-bucket/prod/*'" || return
    : >"$FAKE_SCRIPT"
}

t_policy() {
    expect_exit 0 "$SAFEDUMP" s3 policy koprogo --for backup --repository "s3://koprogo-backups/prod/" || return
    python3 - "$OUT" <<'PY' || why "write-only policy wrong: $(_e2e_show "$OUT")" || return
import json, sys
p = json.load(open(sys.argv[1]))
[s] = p["Statement"]
assert s["Effect"] == "Allow" and sorted(s["Action"]) == ["s3:AbortMultipartUpload", "s3:PutObject"], s
assert s["Resource"] == "arn:aws:s3:::koprogo-backups/prod/koprogo/*", s
PY
    expect_exit 0 "$SAFEDUMP" s3 policy --for admin --repository "s3://koprogo-backups/prod" || return
    python3 - "$OUT" <<'PY' || why "admin policy wrong: $(_e2e_show "$OUT")" || return
import json, sys
p = json.load(open(sys.argv[1]))
acts = {a for s in p["Statement"] for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
assert acts == {"s3:ListBucket", "s3:GetObject", "s3:DeleteObject"}, acts
lst = [s for s in p["Statement"] if s["Action"] == "s3:ListBucket"][0]
assert lst["Resource"] == "arn:aws:s3:::koprogo-backups" and lst["Condition"]["StringLike"]["s3:prefix"] == "prod/*"
PY
    expect_exit 0 "$SAFEDUMP" s3 policy --repository "s3://koprogo-backups/prod" || return
    [ "$(grep -c '^# ' "$OUT")" = 2 ] || why "expected two titled policies: $(_e2e_show "$OUT")" || return
    expect_exit 2 "$SAFEDUMP" s3 policy --repository /var/backups || return
    expect_error_format || return
    expect_stderr_contains "not an s3:// repository" || return
}

tcase "s3 policy: write-only and admin IAM policies" t_policy
tcase_must "setup: PostgreSQL, s3rver and the fake S3 server" t_setup
tcase_must "backup to s3rver: multipart upload, objects visible to aws s3 ls" t_backup
tcase "list, verify and check --freshness against s3://" t_list_verify
tcase "restore from s3:// gives an equal database" t_restore
tcase "aws s3 cp + age + zstd read our object" t_aws_cli_interop
tcase "a missing bucket: NoSuchBucket with a hint" t_no_bucket
tcase "a wrong endpoint: one line and a hint" t_wrong_endpoint
tcase "no credentials: a configuration error with a hint" t_no_credentials
tcase "credentials from ~/.aws/credentials and AWS_PROFILE" t_credentials_file
tcase "fake S3: 503/429/500 storms are retried" t_fake_503_storm
tcase "fake S3: a connection cut mid-part is retried" t_fake_cut_connection
tcase "fake S3: Content-MD5 on every part, If-None-Match on the manifest" t_fake_md5_and_if_none_match
tcase "fake S3: retry budget exhausted: one line, upload aborted, nothing listed" t_fake_budget_runs_out
tcase "fake S3: a GET cut mid-body resumes with a Range" t_fake_get_cut_resumes
tcase "fake S3: botocore checks every signature; odd characters in keys" t_fake_botocore_signatures
tcase "fake S3: wrong region and clock skew are named with hints" t_fake_region_skew
tcase "fake S3: write-only credentials back up; list fails with a hint" t_fake_write_only
finish
