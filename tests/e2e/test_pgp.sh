#!/usr/bin/env bash
# End to end with OpenPGP recipients through GnuPG, against a real PostgreSQL 15: backups encrypted to an
# RSA-4096 key from the keyring (--pgp-recipient FPR) and to a Curve25519 key from an armored public key file
# (--pgp-recipient FILE); the no-lock-in recipe `gpg --decrypt | zstd -d | pg_restore`; safedump restore and
# verify --content without --identity; a tampered object (also with a forged manifest hash, so that only
# gpg's integrity check stands between it and the database) never reaches the target; the wrong keyring,
# unknown and expired keys, and mixing age with OpenPGP fail with clear messages. Throwaway GNUPGHOMEs;
# `gpgconf --kill all` for each at exit. Run with tests/run.sh e2e/test_pgp.sh.
# shellcheck source=tests/e2e/lib.sh disable=SC2034,SC2317 # WHY is read by lib.sh; cases run through tcase
. "$(dirname "$0")/lib.sh"

need gpg gpgconf age-keygen zstd psql pg_dump pg_restore pgbench python3
need_safedump

R=$E2E_WORK/repo
GH=$E2E_WORK/gnupg       # the operator's keyring: RSA-4096 and Curve25519 keys, with their secret keys
GO=$E2E_WORK/gnupg-other # another keyring, with another key: the wrong key
KEYFILE=$E2E_WORK/cv25519.asc
FPR_RSA='' FPR_CV='' FPR_OTHER='' FPR_EXP='' ID1='' IDF=''
export TMPDIR=$E2E_WORK/tmpdir
mkdir -p "$TMPDIR"

# gpg-agents started for the throwaway homes must not outlive the script.
_pgp_kill_agents() {
    local h
    for h in "$GH" "$GO"; do
        [ -d "$h" ] && gpgconf --homedir "$h" --kill all >/dev/null 2>&1
    done
    return 0
}
trap '_pgp_st=$?; _pgp_kill_agents; (exit $_pgp_st); _e2e_cleanup' EXIT

# fpr_of HOME UID: the primary key fingerprint of UID in the keyring HOME.
fpr_of() {
    gpg --homedir "$1" --batch --with-colons --list-keys "$2" 2>/dev/null | awk -F: '/^fpr/ { print $10; exit }'
}

backup_id() {
    sed -n "s/^backup '$1' \([0-9]\{8\}T[0-9]\{6\}Z\).*/\1/p" "$OUT" | head -n 1
}

# flip_byte FILE OFFSET: invert the lowest bit of one byte.
flip_byte() {
    local b
    b=$(od -An -tu1 -j "$2" -N 1 "$1" | tr -d ' ')
    printf '%b' "\\0$(printf '%03o' $((b ^ 1)))" | dd of="$1" bs=1 seek="$2" count=1 conv=notrunc status=none
}

t_setup() {
    pg_start || { WHY="PostgreSQL did not start"; return 1; }
    db_load_awkward srcdb || { WHY="could not load the awkward database"; return 1; }
    mkdir -m 700 "$GH" "$GO" || return
    gpg --homedir "$GH" --batch --passphrase '' --quick-gen-key 'RSA Test <rsa@test.invalid>' rsa4096 encr never ||
        why "gpg could not generate the RSA-4096 key" || return
    gpg --homedir "$GH" --batch --passphrase '' --quick-gen-key 'CV Test <cv@test.invalid>' ed25519 cert never ||
        why "gpg could not generate the ed25519 key" || return
    FPR_RSA=$(fpr_of "$GH" rsa@test.invalid) FPR_CV=$(fpr_of "$GH" cv@test.invalid)
    gpg --homedir "$GH" --batch --passphrase '' --quick-add-key "$FPR_CV" cv25519 encr never ||
        why "gpg could not add the cv25519 subkey" || return
    gpg --homedir "$GH" --batch --armor --export "$FPR_CV" >"$KEYFILE" || why "gpg --export failed" || return
    gpg --homedir "$GO" --batch --passphrase '' --quick-gen-key 'Other <other@test.invalid>' ed25519 cert never &&
        FPR_OTHER=$(fpr_of "$GO" other@test.invalid) &&
        gpg --homedir "$GO" --batch --passphrase '' --quick-add-key "$FPR_OTHER" cv25519 encr never ||
        why "gpg could not generate the other key" || return
    # a key whose only encryption subkey expires at once
    gpg --homedir "$GH" --batch --passphrase '' --quick-gen-key 'Exp Test <exp@test.invalid>' ed25519 cert never &&
        FPR_EXP=$(fpr_of "$GH" exp@test.invalid) &&
        gpg --homedir "$GH" --batch --passphrase '' --quick-add-key "$FPR_EXP" cv25519 encr seconds=1 ||
        why "gpg could not generate the expiring key" || return
    [[ $FPR_RSA =~ ^[0-9A-F]{40}$ && $FPR_CV =~ ^[0-9A-F]{40}$ && $FPR_OTHER =~ ^[0-9A-F]{40}$ ]] ||
        why "fingerprints: '$FPR_RSA' '$FPR_CV' '$FPR_OTHER'" || return
    export GNUPGHOME=$GH
    echo "rsa4096 $FPR_RSA, cv25519 $FPR_CV (file $KEYFILE), other $FPR_OTHER, expiring $FPR_EXP"
}

# check_manifest FILE PYTHON-ASSERTIONS...: load the manifest as `m` and run the assertions.
check_manifest() {
    local file=$1 out
    shift
    out=$(python3 - "$file" "$@" 2>&1 <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
for a in sys.argv[2:]:
    if not eval(a):
        print(f"not true: {a} (manifest: {m})")
        sys.exit(1)
PY
    ) || why "$out" || return
}

t_backup_fingerprint() {
    # the fingerprint as gpg prints it, with spaces and 0x
    expect_exit 0 "$SAFEDUMP" backup --source "$(pg_url srcdb)" --repository "$R" \
        --pgp-recipient "0x$(echo "$FPR_RSA" | sed 's/..../& /g')" || return
    ID1=$(backup_id srcdb)
    [ -n "$ID1" ] || why "no line \"backup 'srcdb' ID...\" on stdout: $(_e2e_show "$OUT")" || return
    local d=$R/srcdb/$ID1 f w hits
    for f in data.dump.zst.gpg contents.gpg manifest.json; do
        [ -s "$d/$f" ] || why "missing or empty: srcdb/$ID1/$f (have: $(find "$d" -mindepth 1 -printf '%f ' 2>&1))" || return
        [ "$(file_mode "$d/$f")" = 600 ] || why "srcdb/$ID1/$f has mode $(file_mode "$d/$f")" || return
    done
    [ ! -e "$d/contents.age" ] && [ ! -e "$d/data.dump.zst.age" ] || why "age objects in an OpenPGP backup" || return
    check_manifest "$d/manifest.json" "m['encryption'] == 'pgp'" "m['data'] == 'data.dump.zst.gpg'" \
        "m['recipients'] == ['openpgp:$FPR_RSA']" || return
    for w in pgbench_accounts MixedCase awkward 'first line'; do
        hits=$(grep -r -l -a -F -e "$w" "$R" 2>/dev/null | head -n 3)
        [ -z "$hits" ] || why "the repository contains '$w' in plaintext: $hits" || return
    done
    # plain OpenPGP: gpg itself names the recipient key
    gpg --batch --list-packets "$d/data.dump.zst.gpg" >"$E2E_WORK/packets" 2>&1
    grep -q "pubkey enc packet: version 3, algo 1, keyid ${FPR_RSA:24:16}" "$E2E_WORK/packets" ||
        why "gpg --list-packets does not show an RSA session key packet for ${FPR_RSA:24:16}: $(_e2e_show "$E2E_WORK/packets")" || return
}

t_backup_keyfile() {
    # Only a key file: gpg runs in a private throwaway home, so the user's keyring is not needed at all.
    GNUPGHOME=$E2E_WORK/no-such-keyring expect_exit 0 "$SAFEDUMP" backup --job srcfile --pg-format plain \
        --source "$(pg_url srcdb)" --repository "$R" --pgp-recipient "$KEYFILE" || return
    IDF=$(backup_id srcfile)
    [ -n "$IDF" ] || why "no line \"backup 'srcfile' ID...\" on stdout: $(_e2e_show "$OUT")" || return
    [ ! -e "$E2E_WORK/no-such-keyring" ] || why "backup with a key file created the user's keyring" || return
    check_manifest "$R/srcfile/$IDF/manifest.json" "m['encryption'] == 'pgp'" "m['data'] == 'data.sql.zst.gpg'" \
        "m['recipients'] == ['openpgp:$FPR_CV']" || return
    local left
    left=$(find "$TMPDIR" -mindepth 1 -maxdepth 1 | head -n 3)
    [ -z "$left" ] || why "the throwaway GnuPG home was left behind: $left" || return
}

t_list_recipients() {
    expect_exit 0 "$SAFEDUMP" list --repository "$R" --recipients || return
    expect_stdout_contains "recipient openpgp:$FPR_RSA" || return
    expect_stdout_contains "recipient openpgp:$FPR_CV" || return
    expect_exit 0 "$SAFEDUMP" list srcdb --repository "$R" --json || return
    python3 -c "import json,sys; j=json.load(open(sys.argv[1])); assert j[0]['encryption']=='pgp' and j[0]['recipients']==['openpgp:$FPR_RSA'] and j[0]['data_key'].endswith('data.dump.zst.gpg')" "$OUT" ||
        why "list --json: $(_e2e_show "$OUT")" || return
}

t_no_lock_in() {
    local d=$R/srcdb/$ID1 st
    echo "\$ gpg --decrypt data.dump.zst.gpg | zstd -d | pg_restore -d restored_gpg"
    db_create restored_gpg || why "cannot create database restored_gpg" || return
    gpg --batch --quiet --decrypt "$d/data.dump.zst.gpg" | zstd -q -d | pg_restore --exit-on-error -d restored_gpg
    st=("${PIPESTATUS[@]}")
    [ "${st[*]}" = "0 0 0" ] || why "gpg --decrypt | zstd -d | pg_restore exited ${st[*]}" || return
    db_same srcdb restored_gpg || return
    gpg --batch --quiet --decrypt "$d/contents.gpg" >"$E2E_WORK/contents.txt" || why "gpg cannot decrypt contents.gpg" || return
    grep -q pgbench_accounts "$E2E_WORK/contents.txt" || why "contents.gpg does not list pgbench_accounts" || return
    # the key-file backup (Curve25519), plain SQL
    db_create restored_gpg_plain || return
    gpg --batch --quiet --decrypt "$R/srcfile/$IDF/data.sql.zst.gpg" | zstd -q -d | psql -X -q -v ON_ERROR_STOP=1 -d restored_gpg_plain >/dev/null
    st=("${PIPESTATUS[@]}")
    [ "${st[*]}" = "0 0 0" ] || why "gpg --decrypt | zstd -d | psql exited ${st[*]}" || return
    db_same srcdb restored_gpg_plain
}

t_restore() {
    ! db_exists restored_pgp || why "database restored_pgp exists before the test" || return
    expect_exit 0 "$SAFEDUMP" restore "srcdb@$ID1" --repository "$R" --to "$(pg_url restored_pgp)" || return
    db_same srcdb restored_pgp || return
    # the key-file backup through psql, and --pgp-homedir instead of GNUPGHOME
    GNUPGHOME=$E2E_WORK/no-such-keyring expect_exit 0 "$SAFEDUMP" restore "srcfile@$IDF" --repository "$R" \
        --pgp-homedir "$GH" --to "$(pg_url restored_pgp_plain)" || return
    db_same srcdb restored_pgp_plain
}

t_verify() {
    expect_exit 0 "$SAFEDUMP" verify --repository "$R" || return
    grep -q "^srcdb@$ID1 ok: integrity (size, sha256)" "$OUT" || why "no integrity line for srcdb@$ID1: $(_e2e_show "$OUT")" || return
    expect_exit 0 "$SAFEDUMP" verify --repository "$R" --content || return
    grep -q "^srcdb@$ID1 ok: content" "$OUT" || why "no content line for srcdb@$ID1: $(_e2e_show "$OUT")" || return
    grep -q "^srcfile@$IDF ok: content" "$OUT" || why "no content line for srcfile@$IDF: $(_e2e_show "$OUT")" || return
    # level 3, a restore test into a scratch database, also needs no identity
    expect_exit 0 "$SAFEDUMP" verify "srcdb@$ID1" --repository "$R" --restore || return
    grep -q "^srcdb@$ID1 ok: restore test" "$OUT" || why "no restore test line for srcdb@$ID1: $(_e2e_show "$OUT")" || return
}

t_tampered() {
    local RF=$E2E_WORK/repo-flip f sum
    cp -a "$R" "$RF" || return
    f=$RF/srcdb/$ID1/data.dump.zst.gpg
    flip_byte "$f" $(($(file_size "$f") / 2))
    ! cmp -s "$f" "$R/srcdb/$ID1/data.dump.zst.gpg" || why "the byte did not flip" || return
    expect_exit 4 "$SAFEDUMP" verify "srcdb@$ID1" --repository "$RF" || return
    expect_output_contains "hash mismatch" || return
    expect_exit 1 "$SAFEDUMP" restore "srcdb@$ID1" --repository "$RF" --to "$(pg_url tampered1)" || return
    ! db_exists tampered1 || why "a failed restore left database tampered1" || return
    # An attacker who can write the repository can also fix the manifest's hash: then only gpg's
    # integrity check (MDC) is left, and nothing may reach the database or stdout before it passed.
    sum=$(sha256sum "$f" | cut -d' ' -f1)
    python3 - "$RF/srcdb/$ID1/manifest.json" "$sum" <<'PY' || why "cannot rewrite the manifest" || return
import json, sys
m = json.load(open(sys.argv[1])); m['stored_sha256'] = sys.argv[2]
json.dump(m, open(sys.argv[1], 'w'))
PY
    expect_exit 1 "$SAFEDUMP" restore "srcdb@$ID1" --repository "$RF" --to "$(pg_url tampered2)" || return
    expect_error_format || return
    expect_stderr_contains "OpenPGP integrity check failed" || return
    ! db_exists tampered2 || why "a restore of a modified OpenPGP object left database tampered2" || return
    expect_exit 1 "$SAFEDUMP" restore "srcdb@$ID1" --repository "$RF" --to - || return
    [ ! -s "$OUT" ] || why "a restore of a modified OpenPGP object wrote $(file_size "$OUT") bytes to stdout" || return
    expect_exit 1 "$SAFEDUMP" restore "srcdb@$ID1" --repository "$RF" --to "$E2E_WORK/tampered.dump" || return
    [ ! -e "$E2E_WORK/tampered.dump" ] || why "a restore of a modified OpenPGP object created the file" || return
    # gpg on its own would have released the plaintext (that is why safedump holds it back)
    gpg --batch --quiet --decrypt "$f" 2>/dev/null | wc -c >"$E2E_WORK/gpg-released"
    echo "gpg --decrypt released $(cat "$E2E_WORK/gpg-released") bytes before failing"
    expect_exit 4 "$SAFEDUMP" verify "srcdb@$ID1" --repository "$RF" --content || return
    expect_output_contains "integrity check failed" || return
}

t_wrong_key() {
    ! db_exists wrongkey || why "database wrongkey exists before the test" || return
    expect_exit 1 "$SAFEDUMP" restore "srcdb@$ID1" --repository "$R" --pgp-homedir "$GO" --to "$(pg_url wrongkey)" || return
    expect_error_format || return
    expect_stderr_contains "no secret key for it in the keyring '$GO'" || return
    expect_stderr_contains "${FPR_RSA:24:16}" || return
    expect_stderr_contains "hint: " || return
    ! db_exists wrongkey || why "a restore with the wrong key created database wrongkey" || return
    GNUPGHOME=$GO expect_exit 1 "$SAFEDUMP" verify "srcdb@$ID1" --repository "$R" --content || return
    expect_stderr_contains "no secret key" || return
}

t_recipient_errors() {
    local RE=$E2E_WORK/repo-err
    expect_exit 1 "$SAFEDUMP" backup --source "$(pg_url srcdb)" --repository "$RE" --pgp-recipient "$FPR_OTHER" || return
    expect_error_format || return
    expect_stderr_contains "OpenPGP recipient 0x$FPR_OTHER: no such key in the keyring '$GH'" || return
    expect_stderr_contains "hint: " || return
    [ -z "$(find "$RE" -type f 2>/dev/null)" ] || why "a failed backup left files: $(find "$RE" -type f | head -n 3)" || return
    sleep 1 # the expiring subkey lived one second
    expect_exit 1 "$SAFEDUMP" backup --source "$(pg_url srcdb)" --repository "$RE" --pgp-recipient "$FPR_EXP" || return
    expect_stderr_contains "OpenPGP recipient 0x$FPR_EXP: key expired" || return
    expect_exit 2 "$SAFEDUMP" backup --source "$(pg_url srcdb)" --repository "$RE" --pgp-recipient "${FPR_RSA:24:16}" || return
    expect_stderr_contains "a key ID, not a fingerprint" || return
    expect_exit 2 "$SAFEDUMP" backup --source "$(pg_url srcdb)" --repository "$RE" --pgp-recipient "$E2E_WORK/missing.asc" || return
    expect_stderr_contains "missing.asc" || return
    # one encryption per backup
    age-keygen -o "$E2E_WORK/age.key" 2>/dev/null || return
    expect_exit 2 "$SAFEDUMP" backup --source "$(pg_url srcdb)" --repository "$RE" --pgp-recipient "$FPR_RSA" \
        --recipient "$(age-keygen -y "$E2E_WORK/age.key")" || return
    expect_stderr_contains "both age and OpenPGP recipients" || return
    expect_stderr_contains "hint: one encryption per backup" || return
    [ -z "$(find "$RE" -type f 2>/dev/null)" ] || why "a failed backup left files: $(find "$RE" -type f | head -n 3)" || return
}

t_config() {
    local conf=$E2E_WORK/pgp.conf id
    cat >"$conf" <<EOF
[defaults]
repository = $R

[pgpjob]
source = $(pg_url srcdb)
pgp_recipient = $FPR_RSA
pgp_recipient = $KEYFILE
pgp_homedir = $GH
EOF
    GNUPGHOME=$E2E_WORK/no-such-keyring expect_exit 0 "$SAFEDUMP" --config "$conf" backup pgpjob || return
    id=$(backup_id pgpjob)
    [ -n "$id" ] || why "no line \"backup 'pgpjob' ID...\" on stdout: $(_e2e_show "$OUT")" || return
    check_manifest "$R/pgpjob/$id/manifest.json" \
        "sorted(m['recipients']) == sorted(['openpgp:$FPR_RSA', 'openpgp:$FPR_CV'])" || return
    # each key alone decrypts it: the Curve25519 one from a keyring that holds only it
    local GC=$E2E_WORK/gnupg-cv
    mkdir -m 700 "$GC" && gpg --homedir "$GH" --batch --export-secret-keys "$FPR_CV" | gpg --homedir "$GC" --batch --import ||
        why "cannot make a keyring with only the Curve25519 key" || return
    expect_exit 0 "$SAFEDUMP" --config "$conf" verify pgpjob@latest --content --pgp-homedir "$GC" || return
    gpgconf --homedir "$GC" --kill all
    printf '[defaults]\nrepository = %s\n[bad]\npgp_recipient = %s\n' "$R" "${FPR_RSA:24:16}" >"$E2E_WORK/bad.conf"
    expect_exit 2 "$SAFEDUMP" --config "$E2E_WORK/bad.conf" backup bad || return
    expect_stderr_contains "bad.conf:4: key 'pgp_recipient'" || return
    expect_stderr_contains "a key ID, not a fingerprint" || return
}

t_no_leftovers() {
    local strays
    strays=$(find "$TMPDIR" -mindepth 1 | head -n 5)
    [ -z "$strays" ] || why "files left in TMPDIR: $strays"
}

tcase_must "start PostgreSQL, load a database, make RSA-4096 and Curve25519 keys" t_setup
tcase_must "backup --pgp-recipient FPR (RSA-4096 from the keyring)" t_backup_fingerprint
tcase_must "backup --pgp-recipient FILE (armored Curve25519 key, throwaway GnuPG home)" t_backup_keyfile
tcase "list --recipients shows the OpenPGP fingerprints" t_list_recipients
tcase "no lock-in: gpg --decrypt | zstd -d | pg_restore gives an equal database" t_no_lock_in
tcase "restore without --identity uses the keyring" t_restore
tcase "verify: integrity without a key, --content and --restore with the keyring" t_verify
tcase "a tampered OpenPGP object never reaches the target, even with a forged manifest hash" t_tampered
tcase "the wrong keyring fails with a clear message" t_wrong_key
tcase "unknown, expired and malformed recipients, and age mixed with OpenPGP, are refused" t_recipient_errors
tcase "configuration: pgp_recipient (fingerprint and file) and pgp_homedir" t_config
tcase "nothing is left in TMPDIR" t_no_leftovers
finish
