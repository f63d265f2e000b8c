#!/usr/bin/env bash
# End to end, key custody: one backup encrypted to an ssh-ed25519 key, an ssh-rsa key, an age key and
# the age key inside a passphrase-protected identity file; then restores with each identity (the OpenSSH
# private keys as they are, the protected file with --passphrase-file, SAFEDUMP_PASSPHRASE_FILE and
# its terminal prompt), the no-lock-in recipe with age and an SSH key, and the refusals: a wrong
# passphrase, no terminal and no passphrase file, bad recipients; and an OpenSSH key with a passphrase.
# Run with tests/run.sh e2e/test_keys.sh (or directly with bash).
# shellcheck source=tests/e2e/lib.sh disable=SC2034,SC2317 # WHY is read by lib.sh; cases run through tcase
. "$(dirname "$0")/lib.sh"

need age zstd psql pg_dump pg_restore ssh-keygen python3 setsid
need_safedump

R=$E2E_WORK/repo
KD=$E2E_WORK/keys          # every key of this script
PTY=$E2E_TOP/tests/data/pty-run.py
ID=''
mkdir -p -m 700 "$KD"
export TMPDIR=$E2E_WORK/tmpdir
mkdir -p "$TMPDIR"

t_setup() {
    pg_start || { WHY="PostgreSQL did not start"; return 1; }
    db_load_awkward srcdb || { WHY="could not load the awkward database"; return 1; }
}

t_keys() {
    ssh-keygen -q -t ed25519 -N '' -C 'ops@example.org laptop' -f "$KD/ed" || why "ssh-keygen ed25519 failed" || return
    ssh-keygen -q -t rsa -b 3072 -N '' -C 'ops@example.org rsa' -f "$KD/rsa" || why "ssh-keygen rsa failed" || return
    ssh-keygen -q -t ed25519 -N 'ssh pass' -f "$KD/edpass" || why "ssh-keygen with a passphrase failed" || return
    expect_exit 0 "$SAFEDUMP" keygen -o "$KD/age.key" || return
    REC_AGE=$(head -n 1 "$OUT")
    printf 'correct horse battery staple\n' >"$KD/pass"
    chmod 600 "$KD/pass"
    expect_exit 0 "$SAFEDUMP" keygen --passphrase --passphrase-file "$KD/pass" -o "$KD/protected.key.age" || return
    REC_PASS=$(head -n 1 "$OUT")
    [[ $REC_PASS =~ ^age1[02-9ac-hj-np-z]{58}$ ]] || why "keygen --passphrase printed '$REC_PASS'" || return
    [ "$(file_mode "$KD/protected.key.age")" = 600 ] || why "protected identity mode $(file_mode "$KD/protected.key.age")" || return
    head -c 21 "$KD/protected.key.age" | grep -q -F 'age-encryption.org/v1' || why "the protected identity is not an age file" || return
    sed -n 2p "$KD/protected.key.age" | grep -q '^-> scrypt [A-Za-z0-9+/]\{22\} 18$' ||
        why "the protected identity's stanza is not '-> scrypt SALT 18': $(sed -n 2p "$KD/protected.key.age")" || return
    ! grep -a -q AGE-SECRET-KEY "$KD/protected.key.age" || why "the protected identity holds the key in plaintext" || return
}

t_age_opens_protected_identity() {
    # age asks for the passphrase on a terminal: answer it under a pty
    echo "\$ age -d -o protected.key protected.key.age   (under a pty)"
    python3 "$PTY" "$KD/pass" age -d -o "$E2E_WORK/protected.key" "$KD/protected.key.age" </dev/null ||
        why "age -d could not open the passphrase-protected identity" || return
    grep -q '^AGE-SECRET-KEY-1' "$E2E_WORK/protected.key" || why "age -d gave no AGE-SECRET-KEY-1 line" || return
    grep -q "^# public key: $REC_PASS\$" "$E2E_WORK/protected.key" || why "the identity's public key is not '$REC_PASS'" || return
    rm -f "$E2E_WORK/protected.key"
}

backup_id() {
    sed -n "s/^backup '$1' \([0-9]\{8\}T[0-9]\{6\}Z\).*/\1/p" "$OUT" | head -n 1
}

t_backup() {
    # recipients from the flags (with their comments) and from a recipients file
    printf '# protected key\n%s\n' "$REC_PASS" >"$KD/recipients.txt"
    cat >"$E2E_WORK/keys.conf" <<EOF
[defaults]
repository = $R
recipients_file = $KD/recipients.txt
EOF
    expect_exit 0 "$SAFEDUMP" backup --config "$E2E_WORK/keys.conf" --source "$(pg_url srcdb)" \
        --recipient "$(cat "$KD/ed.pub")" --recipient "$(cat "$KD/rsa.pub")" --recipient "$REC_AGE" || return
    ID=$(backup_id srcdb)
    [ -n "$ID" ] || why "no line \"backup 'srcdb' ID...\" on stdout: $(_e2e_show "$OUT")" || return
    local d=$R/srcdb/$ID
    grep -c '^-> ssh-ed25519 ' "$d/data.dump.zst.age" | grep -q '^1$' || why "no ssh-ed25519 stanza in the data object" || return
    grep -c '^-> ssh-rsa ' "$d/data.dump.zst.age" | grep -q '^1$' || why "no ssh-rsa stanza in the data object" || return
    grep -a -c '^-> X25519 ' "$d/data.dump.zst.age" | grep -q '^2$' || why "not 2 X25519 stanzas in the data object" || return
}

t_manifest_recipients() {
    local ed rsa
    ed=$(cut -d' ' -f1,2 "$KD/ed.pub")
    rsa=$(cut -d' ' -f1,2 "$KD/rsa.pub")
    python3 - "$R/srcdb/$ID/manifest.json" "$ed" "$rsa" "$REC_AGE" "$REC_PASS" <<'PY' || why "manifest recipients: see the log" || return
import json, sys
m = json.load(open(sys.argv[1]))
want = sorted(sys.argv[2:])
got = sorted(m["recipients"])
print("manifest recipients:", got)
assert got == want, f"expected {want}"
assert not any("@example.org" in r for r in got), "a comment was recorded"
PY
}

t_verify_counts_all_stanzas() {
    expect_exit 0 "$SAFEDUMP" verify "srcdb@$ID" --repository "$R" || return
    grep -q "^srcdb@$ID ok" "$OUT" || why "no line 'srcdb@$ID ok' in: $(_e2e_show "$OUT")" || return
    expect_exit 0 "$SAFEDUMP" verify "srcdb@$ID" --repository "$R" --identity "$KD/rsa" || return
    expect_exit 0 "$SAFEDUMP" verify "srcdb@$ID" --repository "$R" --identity "$KD/protected.key.age" \
        --passphrase-file "$KD/pass" || return
    grep -q "^srcdb@$ID ok" "$OUT" || why "verify with the protected identity: no line 'srcdb@$ID ok'" || return
}

# restore_with NAME ARGS...: restore the backup into a new database NAME and compare it with srcdb.
restore_with() {
    local db=$1
    shift
    expect_exit 0 "$SAFEDUMP" restore "srcdb@$ID" --repository "$R" --to "$(pg_url "$db")" "$@" || return
    db_same srcdb "$db"
}

t_restore_ed25519() { restore_with r_ed --identity "$KD/ed"; }
t_restore_rsa() { restore_with r_rsa --identity "$KD/rsa"; }
t_restore_age() { restore_with r_age --identity "$KD/age.key"; }
t_restore_passphrase_file() { restore_with r_pass --identity "$KD/protected.key.age" --passphrase-file "$KD/pass"; }

t_restore_passphrase_env() {
    SAFEDUMP_PASSPHRASE_FILE=$KD/pass SAFEDUMP_IDENTITY=$KD/protected.key.age \
        expect_exit 0 "$SAFEDUMP" restore "srcdb@$ID" --repository "$R" --to "$E2E_WORK/env.dump" || return
    pg_restore -l "$E2E_WORK/env.dump" >/dev/null || why "the restored file is not a pg_dump archive" || return
}

t_restore_passphrase_prompt() {
    echo "\$ safedump restore ... --identity protected.key.age --to FILE   (under a pty)"
    python3 "$PTY" "$KD/pass" "$SAFEDUMP" restore "srcdb@$ID" --repository "$R" --identity "$KD/protected.key.age" \
        --to "$E2E_WORK/prompt.dump" </dev/null 2>"$ERR"
    local rc=$?
    cat "$ERR"
    san_scan "$ERR" "safedump restore"
    [ "$rc" = 0 ] || why "restore with the terminal prompt exited $rc: $(_e2e_show "$ERR")" || return
    grep -q "passphrase for identity '$KD/protected.key.age': " "$ERR" || why "no passphrase prompt on the terminal" || return
    ! grep -q -F 'correct horse' "$ERR" || why "the passphrase was echoed" || return
    cmp "$E2E_WORK/env.dump" "$E2E_WORK/prompt.dump" || why "the two restores differ" || return
}

t_no_lock_in_ssh() {
    echo "\$ age -d -i ed data.dump.zst.age | zstd -d | pg_restore -l"
    age -d -i "$KD/ed" "$R/srcdb/$ID/data.dump.zst.age" | zstd -q -d >"$E2E_WORK/age.dump"
    local st=("${PIPESTATUS[@]}")
    [ "${st[*]}" = "0 0" ] || why "age -d -i ed | zstd -d exited ${st[*]}" || return
    cmp "$E2E_WORK/age.dump" "$E2E_WORK/env.dump" || why "age with the SSH key gives other bytes than safedump" || return
    age -d -i "$KD/rsa" "$R/srcdb/$ID/contents.age" >/dev/null || why "age -d -i rsa cannot open contents.age" || return
}

t_wrong_passphrase() {
    printf 'not the passphrase\n' >"$KD/wrong"
    chmod 600 "$KD/wrong"
    expect_exit 1 "$SAFEDUMP" restore "srcdb@$ID" --repository "$R" --identity "$KD/protected.key.age" \
        --passphrase-file "$KD/wrong" --to "$E2E_WORK/wrong.dump" || return
    expect_error_format || return
    head -n 1 "$ERR" | grep -q -F "identity '$KD/protected.key.age': wrong passphrase" ||
        why "expected \"identity '...': wrong passphrase\": $(_e2e_show "$ERR")" || return
    [ ! -e "$E2E_WORK/wrong.dump" ] || why "a file was left at the restore target" || return
    ! grep -q -F 'not the passphrase' "$ERR" || why "the passphrase is in the error message" || return
}

t_no_terminal() {
    # no controlling terminal (setsid) and no passphrase file: a usage error that says what to do
    echo "\$ setsid -w safedump restore ... --identity protected.key.age"
    setsid -w "$SAFEDUMP" restore "srcdb@$ID" --repository "$R" --identity "$KD/protected.key.age" \
        --to "$E2E_WORK/notty.dump" </dev/null >"$OUT" 2>"$ERR"
    local rc=$?
    cat "$ERR"
    [ "$rc" = 2 ] || why "exited $rc, expected 2: $(_e2e_show "$ERR")" || return
    expect_stderr_contains "no terminal to ask for it" || return
    expect_stderr_contains "hint: give --passphrase-file FILE or set SAFEDUMP_PASSPHRASE_FILE" || return
}

t_passphrase_file_mode() {
    chmod 644 "$KD/wrong"
    expect_exit 1 "$SAFEDUMP" restore "srcdb@$ID" --repository "$R" --identity "$KD/protected.key.age" \
        --passphrase-file "$KD/wrong" --to "$E2E_WORK/mode.dump" || return
    expect_stderr_contains "can be read by other users" || return
    expect_stderr_contains "hint: chmod 600" || return
}

t_ssh_key_with_passphrase() {
    # a second backup, to the passphrase-protected OpenSSH key (bcrypt_pbkdf + aes256-ctr, as ssh-keygen makes it)
    printf 'ssh pass\n' >"$KD/sshpass"
    chmod 600 "$KD/sshpass"
    expect_exit 0 "$SAFEDUMP" backup --source "$(pg_url srcdb)" --repository "$E2E_WORK/repo2" \
        --recipient "$(cat "$KD/edpass.pub")" || return
    expect_exit 0 "$SAFEDUMP" restore srcdb@latest --repository "$E2E_WORK/repo2" --identity "$KD/edpass" \
        --passphrase-file "$KD/sshpass" --to "$E2E_WORK/sshpass.dump" || return
    pg_restore -l "$E2E_WORK/sshpass.dump" >/dev/null || why "the restored file is not a pg_dump archive" || return
    expect_exit 1 "$SAFEDUMP" restore srcdb@latest --repository "$E2E_WORK/repo2" --identity "$KD/edpass" \
        --passphrase-file "$KD/pass" --to "$E2E_WORK/sshwrong.dump" || return
    expect_error_format || return
    head -n 1 "$ERR" | grep -q -F "identity '$KD/edpass': wrong passphrase" ||
        why "expected \"identity '...': wrong passphrase\": $(_e2e_show "$ERR")" || return
    # age opens the same backup with the same key, asking for its passphrase on a terminal
    local d
    d=$(find "$E2E_WORK/repo2/srcdb" -name data.dump.zst.age | head -n 1)
    python3 "$PTY" "$KD/sshpass" age -d -i "$KD/edpass" -o "$E2E_WORK/sshpass.zst" "$d" </dev/null ||
        why "age -d -i edpass (under a pty) failed" || return
    zstd -q -d -c "$E2E_WORK/sshpass.zst" | cmp - "$E2E_WORK/sshpass.dump" || why "age and safedump disagree" || return
}

t_wrong_ssh_key() {
    ssh-keygen -q -t ed25519 -N '' -f "$KD/other" || why "ssh-keygen failed" || return
    expect_exit 1 "$SAFEDUMP" restore "srcdb@$ID" --repository "$R" --identity "$KD/other" --to "$E2E_WORK/y.dump" || return
    expect_stderr_contains "no identity matches any of the 4 recipient stanzas" || return
}

t_bad_recipients() {
    ssh-keygen -q -t ecdsa -N '' -f "$KD/ecdsa" || why "ssh-keygen ecdsa failed" || return
    expect_exit 2 "$SAFEDUMP" backup --source "$(pg_url srcdb)" --repository "$R" --recipient "$(cat "$KD/ecdsa.pub")" || return
    expect_stderr_contains "not an age recipient or an SSH public key" || return
    expect_stderr_contains "hint: a recipient is an age public key" || return
    # a malformed key of a supported type: 'check' names the job, 'backup' refuses to start
    printf '[defaults]\nrepository = %s\nrecipient = ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKx\n[bad]\nsource = %s\n' \
        "$R" "$(pg_url srcdb)" >"$E2E_WORK/bad.conf"
    expect_exit 2 "$SAFEDUMP" check --config "$E2E_WORK/bad.conf" || return
    expect_stderr_contains "job 'bad': recipient 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKx': malformed SSH public key" || return
    expect_exit 1 "$SAFEDUMP" backup --config "$E2E_WORK/bad.conf" bad || return
    expect_stderr_contains "recipient 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKx': malformed SSH public key" || return
    [ -z "$(find "$R" -path '*/bad/*' 2>/dev/null | head -n 1)" ] || why "the refused backup left objects" || return
}

t_keygen_passphrase_refusals() {
    expect_exit 2 "$SAFEDUMP" keygen --passphrase || return
    expect_stderr_contains "--passphrase needs -o FILE" || return
    : >"$KD/empty"
    chmod 600 "$KD/empty"
    expect_exit 1 "$SAFEDUMP" keygen --passphrase-file "$KD/empty" -o "$KD/never.key.age" || return
    expect_stderr_contains "is empty" || return
    [ ! -e "$KD/never.key.age" ] || why "keygen left a file behind" || return
    expect_exit 1 "$SAFEDUMP" keygen --passphrase-file "$KD/pass" -o "$KD/protected.key.age" || return
    expect_stderr_contains "already exists" || return
}

t_keygen_passphrase_prompt() {
    # asked twice on the terminal; the file then opens with the same passphrase from a file
    echo "\$ safedump keygen --passphrase -o prompted.key.age   (under a pty)"
    python3 "$PTY" "$KD/pass" "$SAFEDUMP" keygen --passphrase -o "$KD/prompted.key.age" </dev/null >"$OUT" 2>"$ERR"
    local rc=$?
    cat "$OUT" "$ERR"
    [ "$rc" = 0 ] || why "keygen --passphrase under a pty exited $rc" || return
    [ "$(grep -c 'passphrase' "$ERR")" -ge 2 ] || why "keygen did not ask twice: $(_e2e_show "$ERR")" || return
    python3 "$PTY" "$KD/pass" age -d -o "$E2E_WORK/prompted.key" "$KD/prompted.key.age" </dev/null 2>/dev/null ||
        why "age -d cannot open the identity written after the prompt" || return
    grep -q '^AGE-SECRET-KEY-1' "$E2E_WORK/prompted.key" || why "no identity inside" || return
    rm -f "$E2E_WORK/prompted.key"
}

t_no_leftovers() {
    local strays
    strays=$(find "$TMPDIR" -mindepth 1 | head -n 5)
    [ -z "$strays" ] || why "files left in TMPDIR: $strays"
}

tcase_must "start PostgreSQL and load the awkward database" t_setup
tcase_must "keys: ssh-keygen ed25519 and rsa, keygen, keygen --passphrase" t_keys
tcase "age -d opens the passphrase-protected identity file" t_age_opens_protected_identity
tcase_must "backup to ssh-ed25519, ssh-rsa and age recipients" t_backup
tcase "the manifest lists each recipient's key without its comment" t_manifest_recipients
tcase "verify counts every stanza type; verify --identity with an SSH key and a protected identity" t_verify_counts_all_stanzas
tcase "restore with the ssh-ed25519 private key" t_restore_ed25519
tcase "restore with the ssh-rsa private key" t_restore_rsa
tcase "restore with the age identity" t_restore_age
tcase "restore with the passphrase-protected identity and --passphrase-file" t_restore_passphrase_file
tcase "restore with SAFEDUMP_IDENTITY and SAFEDUMP_PASSPHRASE_FILE" t_restore_passphrase_env
tcase "restore asks for the passphrase on the terminal" t_restore_passphrase_prompt
tcase "no lock-in: age -d -i SSH-KEY | zstd -d" t_no_lock_in_ssh
tcase "a wrong passphrase is one line, exit 1, nothing written" t_wrong_passphrase
tcase "no terminal and no passphrase file: exit 2 with a hint" t_no_terminal
tcase "a passphrase file others can read is refused" t_passphrase_file_mode
tcase "a passphrase-protected OpenSSH key: backup, restore with --passphrase-file, wrong passphrase, age" t_ssh_key_with_passphrase
tcase "another SSH key matches no stanza" t_wrong_ssh_key
tcase "unsupported and malformed SSH recipients are refused" t_bad_recipients
tcase "keygen --passphrase refusals" t_keygen_passphrase_refusals
tcase "keygen --passphrase asks twice on the terminal" t_keygen_passphrase_prompt
tcase "nothing temporary is left" t_no_leftovers
finish
