#!/bin/sh
# Regenerate the pg_dump fixtures of tests/unit/source/test_pgcount.c from a throwaway PostgreSQL
# (TEST-SERVERS.md: initdb as postgres in a temporary directory, loopback, free port), then stop it.
#   custom.dump       pg_dump -Fc -Z0 written to a pipe (data offsets "not set")
#   custom-gzip.dump  pg_dump -Fc with default compression (must be rejected)
#   plain.sql         pg_dump -Fp
#   expected.txt      "version<TAB>server_version", then "table<TAB>schema<TAB>name<TAB>count(*)"
# Run as root from anywhere: tests/data/pg/make-fixtures.sh
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
D=$(mktemp -d)
chown postgres: "$D"
chmod 700 "$D"

stop() {
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$D/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$D"
}
trap stop EXIT

runuser -u postgres -- "$PGBIN/initdb" -D "$D/data" -U postgres -A trust --no-sync -E UTF8 --locale=C.UTF-8 >/dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$D/data" -l "$D/server.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $D -c fsync=off" start >/dev/null

export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres
"$PGBIN/createdb" fixture
"$PGBIN/psql" -q -X -v ON_ERROR_STOP=1 -d fixture <<'SQL'
CREATE SCHEMA app;
CREATE SCHEMA "Weird.Schema";

CREATE TABLE public.awkward (id serial PRIMARY KEY, t text, note varchar(20));
INSERT INTO public.awkward (t, note) VALUES
    (E'line one\nline two', 'newline'),
    (E'tab\there', 'tab'),
    (E'back\\slash \\. and \\N', 'backslash'),
    (NULL, 'null'),
    ('', 'empty'),
    (E'\\.', 'copy terminator'),
    ('.', 'dot'),
    (E'crlf\r\nend', 'crlf'),
    ('héllo wörld ✓ 日本語 🐘', 'unicode'),
    (E'trailing\n', 'trailing newline'),
    (E'\nCOPY public.fake (a) FROM stdin;\n', 'copy inside');
COMMENT ON COLUMN public.awkward.t IS 'it''s "quoted" $$ not a dollar quote';

CREATE TABLE public.blobs (id int PRIMARY KEY, b bytea);
INSERT INTO public.blobs VALUES
    (1, '\x000102030a0d5c2e0a'), (2, NULL), (3, decode(repeat('00ff0a5c', 256), 'hex')), (4, '');

CREATE TABLE public.docs (id int, j jsonb);
INSERT INTO public.docs VALUES
    (1, '{"a": "multi\nline", "b": [1, 2, {"c": "tab\there"}], "u": "ünï ✓"}'),
    (2, 'null'), (3, NULL), (4, '"\\."');

CREATE TABLE app."Odd ""Name""" (id int, "Mixed Col" text);
INSERT INTO app."Odd ""Name""" VALUES (1, 'one'), (2, E'two\nlines'), (3, NULL);

CREATE TABLE app.empty_table (id int);

CREATE TABLE app.thousand (id int PRIMARY KEY, v text);
INSERT INTO app.thousand SELECT g, 'r' || g FROM generate_series(1, 1000) g;
COMMENT ON TABLE app.thousand IS E'multi\nCOPY public.fake2 FROM stdin;\n\\.\nend';

CREATE TABLE app.nocols ();
INSERT INTO app.nocols SELECT FROM generate_series(1, 3);

CREATE TABLE app.measure (ts date, v int) PARTITION BY RANGE (ts);
CREATE TABLE app.measure_2023 PARTITION OF app.measure FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE app.measure_2024 PARTITION OF app.measure FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
INSERT INTO app.measure VALUES ('2023-05-01', 1), ('2023-06-01', 2), ('2024-01-02', 3), ('2024-02-03', 4), ('2024-12-31', 5);

CREATE TABLE "Weird.Schema"."données" (x text);
INSERT INTO "Weird.Schema"."données" VALUES ('ça'), (E'a\\b');

CREATE VIEW app.v_awkward AS SELECT id, t FROM public.awkward WHERE t IS NOT NULL;
CREATE MATERIALIZED VIEW app.mv AS SELECT count(*) AS n FROM app.thousand;
CREATE SEQUENCE app.counter START 42;
DO $$BEGIN PERFORM nextval('app.counter'); END$$;

CREATE FUNCTION app.trap() RETURNS text LANGUAGE sql AS $f$ SELECT 'x
COPY public.fake (a) FROM stdin;
\.
'::text $f$;

DO $$BEGIN PERFORM lo_from_bytea(0, convert_to(E'large object\n\\.\nwith newlines', 'UTF8')); END$$;
SQL

# Through a pipe, as safedump runs it: the archive cannot seek back to fill in data offsets.
"$PGBIN/pg_dump" -d fixture -Fc -Z0 | cat >"$HERE/custom.dump"
"$PGBIN/pg_dump" -d fixture -Fc | cat >"$HERE/custom-gzip.dump"
"$PGBIN/pg_dump" -d fixture -Fp | cat >"$HERE/plain.sql"

{
    printf 'version\t'
    "$PGBIN/psql" -X -At -d fixture -c 'SHOW server_version'
    "$PGBIN/psql" -X -At -F '	' -d fixture <<'SQL'
SELECT 'table', n.nspname, c.relname,
       (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', n.nspname, c.relname),
                                            false, true, '')))[1]::text
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_'
 ORDER BY n.nspname, c.relname;
SQL
} >"$HERE/expected.txt"

echo "fixtures written to $HERE"
