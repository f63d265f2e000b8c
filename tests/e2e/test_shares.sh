#!/usr/bin/env bash
# End to end for recovery shares (safedump key split / combine): keygen, a real backup to the new
# recipient, split the identity 2-of-3, delete it, combine shares 1 and 3, and decrypt with the combined
# identity: `age -d -i`, `safedump verify --identity` and a restore. Then any 3 of 5 shares of a 2000-byte
# random secret, and the failures through the CLI with their exact exit statuses: usage errors 2, bad
# shares 1 (too few, another split, a duplicate, a typo on a line, a wrong version, a file others can
# read), and nothing overwritten. Run with tests/run.sh e2e/test_shares.sh (or directly with bash).
# shellcheck source=tests/e2e/lib.sh disable=SC2034,SC2317 # WHY is read by lib.sh; cases run through tcase
. "$(dirname "$0")/lib.sh"

need age age-keygen zstd psql pg_dump pg_restore python3 sha256sum
need_safedump

W=$E2E_WORK
R=$W/repo
K=$W/backup.key
REC='' ID='' KSUM=''
umask 077
cd "$W" || exit 1

t_setup() {
    pg_start || { WHY="PostgreSQL did not start"; return 1; }
    db_create shdb || { WHY="could not create the database"; return 1; }
    psql_q shdb "CREATE TABLE members (id int PRIMARY KEY, name text);
                 INSERT INTO members SELECT g, 'member ' || g FROM generate_series(1, 500) g;" ||
        { WHY="could not load the database"; return 1; }
    expect_exit 0 "$SAFEDUMP" keygen -o "$K" || return
    REC=$(head -n 1 "$OUT")
    KSUM=$(sha256sum <"$K" | cut -d' ' -f1)
    expect_exit 0 "$SAFEDUMP" backup --source "$(pg_url shdb)" --repository "$R" --recipient "$REC" || return
    ID=$(sed -n "s/^backup 'shdb' \([0-9]\{8\}T[0-9]\{6\}Z\).*/\1/p" "$OUT" | head -n 1)
    [ -n "$ID" ] || why "no backup id on stdout: $(_e2e_show "$OUT")"
}

t_split() {
    expect_exit 0 "$SAFEDUMP" key split --threshold 2 --shares 3 -o "$W/share" "$K" || return
    local i f
    for i in 1 2 3; do
        f=$W/share-$i-of-3.txt
        [ -f "$f" ] || why "no share file '$f'" || return
        [ "$(file_mode "$f")" = 600 ] || why "'$f' has mode $(file_mode "$f"), not 600" || return
        grep -q -x -F "$f" "$OUT" || why "stdout does not name '$f': $(_e2e_show "$OUT")" || return
        head -n 1 "$f" | grep -q -x 'safedump-share v1' || why "'$f' does not start with 'safedump-share v1'" || return
        grep -q -x "share: $i of 3" "$f" || why "'$f' lacks 'share: $i of 3'" || return
        grep -q -x 'threshold: 2' "$f" || why "'$f' lacks 'threshold: 2'" || return
        # the identity is nowhere in a share
        ! grep -q -F 'AGE-SECRET-KEY' "$f" || why "'$f' contains the identity" || return
        ! grep -q -i -F "$(grep '^AGE-SECRET-KEY' "$K" | cut -c 20-40)" "$f" || why "'$f' contains part of the identity" || return
    done
    # the three shares of one split carry one split id, and their data differ
    [ "$(grep -h '^split: ' "$W"/share-*-of-3.txt | sort -u | wc -l)" = 1 ] || why "the shares have different split ids" || return
    [ "$(grep -h '^01 ' "$W"/share-*-of-3.txt | sort -u | wc -l)" = 3 ] || why "two shares have the same first data line" || return
}

t_combine_and_decrypt() {
    mkdir -p "$W/offline" && mv "$K" "$W/offline/" || return
    expect_exit 0 "$SAFEDUMP" key combine share-1-of-3.txt share-3-of-3.txt -o combined.key || return
    [ "$(file_mode combined.key)" = 600 ] || why "combined.key has mode $(file_mode combined.key), not 600" || return
    [ "$(sha256sum <combined.key | cut -d' ' -f1)" = "$KSUM" ] || why "combined.key differs from the original identity" || return
    # the age tool decrypts the backup with the combined identity
    local data=$R/shdb/$ID/data.dump.zst.age
    age -d -i combined.key "$data" | zstd -d -q >"$W/plain.dump" || why "age -d -i combined.key failed" || return
    pg_restore --list "$W/plain.dump" | grep -q 'TABLE DATA public members' || why "the decrypted dump lacks the members table" || return
    # and so do safedump's verify and restore
    expect_exit 0 "$SAFEDUMP" verify "shdb@$ID" --repository "$R" --identity combined.key || return
    expect_exit 0 "$SAFEDUMP" restore "shdb@$ID" --repository "$R" --identity combined.key --to "$(pg_url shdb_drill)" || return
    [ "$(psql_q shdb_drill 'SELECT count(*) FROM members')" = 500 ] || why "the restored database does not have 500 members" || return
}

t_combine_stdout_any_pair() {
    local pair
    for pair in "2 1" "3 2" "1 2 3"; do
        local files=()
        for i in $pair; do files+=("share-$i-of-3.txt"); done
        expect_exit 0 "$SAFEDUMP" key combine "${files[@]}" || return
        [ "$(sha256sum <"$OUT" | cut -d' ' -f1)" = "$KSUM" ] || why "shares $pair do not give the identity back" || return
    done
    # the original identity never came back from its offline place
    [ ! -e "$K" ] || why "'$K' exists again" || return
}

t_any_secret() {
    head -c 2000 /dev/urandom >secret.bin
    expect_exit 0 "$SAFEDUMP" key split -k 3 -n 5 secret.bin || return
    local a b c
    for a in 1 2 3; do
        for b in $(seq $((a + 1)) 4); do
            for c in $(seq $((b + 1)) 5); do
                expect_exit 0 "$SAFEDUMP" key combine secret.bin-$c-of-5.txt secret.bin-$a-of-5.txt secret.bin-$b-of-5.txt || return
                cmp -s "$OUT" secret.bin || why "shares $a, $b, $c do not give the secret back" || return
            done
        done
    done
    for a in 1 2 3 4; do
        for b in $(seq $((a + 1)) 5); do
            expect_exit 1 "$SAFEDUMP" key combine secret.bin-$a-of-5.txt secret.bin-$b-of-5.txt || return
            expect_stderr_contains "safedump: key combine: 2 shares given, 3 needed" || return
            expect_stderr_contains "hint: any 3 of the 5 shares" || return
            [ ! -s "$OUT" ] || why "a failed combine wrote to stdout" || return
        done
    done
}

t_bad_shares() {
    # another split of the same identity
    expect_exit 0 "$SAFEDUMP" key split -k 2 -n 3 -o other combined.key || return
    expect_exit 1 "$SAFEDUMP" key combine share-1-of-3.txt other-2-of-3.txt || return
    expect_error_format || return
    expect_stderr_contains "safedump: key combine: share 'other-2-of-3.txt' is from another split" || return
    # the same share twice
    expect_exit 1 "$SAFEDUMP" key combine share-1-of-3.txt share-1-of-3.txt || return
    expect_stderr_contains "share 'share-1-of-3.txt' is given twice" || return
    cp share-1-of-3.txt copy.txt
    expect_exit 1 "$SAFEDUMP" key combine share-1-of-3.txt share-3-of-3.txt copy.txt || return
    expect_stderr_contains "share 'copy.txt' is share 1 of 3 again, as is 'share-1-of-3.txt'" || return
    # a typo on the second data line
    local n
    cp share-2-of-3.txt typo.txt
    n=$(grep -n '^02 ' typo.txt | cut -d: -f1)
    python3 - "$n" <<'PY' || return
import sys
n = int(sys.argv[1])
lines = open('typo.txt').read().split('\n')
l = lines[n - 1]
c = l[3]
lines[n - 1] = l[:3] + ('7' if c != '7' else '8') + l[4:]
open('typo.txt', 'w').write('\n'.join(lines))
PY
    expect_exit 1 "$SAFEDUMP" key combine share-1-of-3.txt typo.txt || return
    expect_stderr_contains "safedump: key combine: share 'typo.txt' line $n: checksum mismatch (a typo?)" || return
    # a version this safedump does not read
    sed 's/^safedump-share v1$/safedump-share v2/' share-2-of-3.txt >v2.txt
    expect_exit 1 "$SAFEDUMP" key combine share-1-of-3.txt v2.txt || return
    expect_stderr_contains "share 'v2.txt': format version 2 is not supported" || return
    # not a share at all
    expect_exit 1 "$SAFEDUMP" key combine share-1-of-3.txt combined.key || return
    expect_stderr_contains "share 'combined.key' is not a safedump share" || return
    # a share others can read
    cp share-3-of-3.txt open.txt && chmod 644 open.txt
    expect_exit 1 "$SAFEDUMP" key combine share-1-of-3.txt open.txt || return
    expect_stderr_contains "'open.txt' can be read by other users" || return
    expect_stderr_contains "hint: chmod 600 'open.txt'" || return
    # a missing file
    expect_exit 1 "$SAFEDUMP" key combine share-1-of-3.txt nosuch.txt || return
    expect_stderr_contains "'nosuch.txt'" || return
}

t_usage() {
    expect_exit 2 "$SAFEDUMP" key || return
    expect_stderr_contains "hint: 'safedump key --help' lists the options" || return
    expect_exit 2 "$SAFEDUMP" key frob || return
    expect_exit 2 "$SAFEDUMP" key split combined.key || return
    expect_stderr_contains "--threshold K is required" || return
    expect_exit 2 "$SAFEDUMP" key split -k 2 combined.key || return
    expect_exit 2 "$SAFEDUMP" key split -k 1 -n 3 combined.key || return
    expect_exit 2 "$SAFEDUMP" key split -k 4 -n 3 combined.key || return
    expect_exit 2 "$SAFEDUMP" key split -k 2 -n 256 combined.key || return
    expect_exit 2 "$SAFEDUMP" key split -k two -n 3 combined.key || return
    expect_exit 2 "$SAFEDUMP" key split -k 2 -n 3 || return
    expect_exit 2 "$SAFEDUMP" key split -k 2 -n 3 --frob combined.key || return
    expect_exit 2 "$SAFEDUMP" key combine || return
    expect_exit 2 "$SAFEDUMP" key combine -o || return
    expect_exit 0 "$SAFEDUMP" key --help || return
    expect_stdout_contains "safedump key split --threshold K --shares N" || return
    expect_exit 0 "$SAFEDUMP" key split --help || return
    expect_exit 0 "$SAFEDUMP" --help || return
    expect_stdout_contains "key " || return
}

t_never_overwritten() {
    local before
    before=$(sha256sum share-1-of-3.txt share-2-of-3.txt share-3-of-3.txt)
    expect_exit 1 "$SAFEDUMP" key split -k 2 -n 3 -o share combined.key || return
    expect_stderr_contains "'share-1-of-3.txt' already exists" || return
    [ "$(sha256sum share-1-of-3.txt share-2-of-3.txt share-3-of-3.txt)" = "$before" ] || why "existing shares changed" || return
    # a set where only the last file exists: nothing new is written either
    : >last-3-of-3.txt
    expect_exit 1 "$SAFEDUMP" key split -k 2 -n 3 -o last combined.key || return
    [ ! -e last-1-of-3.txt ] || why "split wrote share 1 although share 3 existed" || return
    # combine -o never replaces a file
    echo keep >kept.key
    expect_exit 1 "$SAFEDUMP" key combine share-1-of-3.txt share-2-of-3.txt -o kept.key || return
    expect_stderr_contains "'kept.key' already exists" || return
    [ "$(cat kept.key)" = keep ] || why "combine replaced kept.key" || return
    # an identity others can read is refused before anything is written
    cp combined.key open.key && chmod 644 open.key
    expect_exit 1 "$SAFEDUMP" key split -k 2 -n 2 open.key || return
    [ ! -e open.key-1-of-2.txt ] || why "split wrote a share of an identity others can read" || return
    # combine under umask 000 still writes 0600
    (umask 000 && "$SAFEDUMP" key combine share-1-of-3.txt share-2-of-3.txt -o umask.key) || why "combine under umask 000 failed" || return
    [ "$(file_mode umask.key)" = 600 ] || why "combine under umask 000 wrote mode $(file_mode umask.key)" || return
    local left
    left=$(find "$W" -maxdepth 1 -name '*.partial' | head -n 3)
    [ -z "$left" ] || why "temporary files left: $left"
}

tcase_must "keygen, and a backup to its recipient" t_setup
tcase_must "split 2-of-3: three 0600 share files of one split, no trace of the identity" t_split
tcase "identity deleted; shares 1 and 3 rebuild it byte for byte; age, verify and restore use it" t_combine_and_decrypt
tcase "combine to stdout: any two shares, in any order, or all three" t_combine_stdout_any_pair
tcase "3-of-5 of a 2000-byte random secret: every 3 shares rebuild it, 2 do not" t_any_secret
tcase "bad shares exit 1 naming the file: another split, duplicate, typo line, version, not a share, mode" t_bad_shares
tcase "usage errors exit 2" t_usage
tcase "nothing is overwritten, nothing half-written is left" t_never_overwritten
finish
