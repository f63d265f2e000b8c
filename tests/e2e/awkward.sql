-- Awkward data for the end-to-end tests: whatever a dump, a compressor, an encryptor or a loader could get
-- wrong. Load into a database that already has the pgbench tables (pgbench -i -s 1 DB), with
--     psql -X -v ON_ERROR_STOP=1 -d DB -f tests/e2e/awkward.sql
-- Everything here is deterministic (no random(), no now()), so two loads give identical databases.

\set ON_ERROR_STOP on
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;

-- A type of our own, used by a column.
CREATE TYPE public.mood AS ENUM ('sad', 'ok', 'happy', 'très content 😀');

CREATE TABLE public.awkward (
    id     integer PRIMARY KEY,
    label  text NOT NULL,
    body   text,
    raw    bytea,
    doc    jsonb,
    feel   public.mood,
    amount numeric(30, 10),
    tags   text[],
    at     timestamptz
);
COMMENT ON TABLE public.awkward IS 'données «bizarres» — 😀, with ''quotes'' and "double quotes"';

INSERT INTO public.awkward (id, label, body, raw, doc, feel, amount, tags, at) VALUES
 (1, 'newlines', E'first line\nsecond line\n\nfourth after an empty one\n', NULL, NULL, 'ok', 1, NULL, NULL),
 (2, 'tabs', E'a\tb\t\tc\t', NULL, NULL, NULL, NULL, NULL, NULL),
 (3, 'backslashes', E'C:\\path\\to\\file \\N \\t \\\\ end\\', NULL, NULL, NULL, NULL, NULL, NULL),
 -- "\." alone on a line ends COPY data in a plain dump unless it is escaped
 (4, 'copy terminator', E'before\n\\.\nafter', NULL, NULL, NULL, NULL, NULL, NULL),
 (5, 'carriage returns', E'dos line\r\nold mac\rlone cr at end\r', NULL, NULL, NULL, NULL, NULL, NULL),
 (6, 'all null', 'all null', NULL, NULL, NULL, NULL, NULL, NULL),
 (7, 'empty strings', '', '\x'::bytea, '{}', NULL, 0, '{}', NULL),
 (8, 'emoji', '😀🎉👩‍👩‍👧‍👦 🏳️‍🌈 flags 🇫🇷🇯🇵', NULL, NULL, 'très content 😀', NULL, NULL, NULL),
 (9, 'right to left', 'مرحبا بالعالم — שלום עולם (mixed ltr)', NULL, NULL, NULL, NULL, NULL, NULL),
 (10, 'combining', U&'e\0301 vs \00E9, a\0308\0304, Z\0351\0358\0362algo', NULL, NULL, NULL, NULL, NULL, NULL),
 (11, 'zero bytes', 'bytea with NUL bytes', '\x00'::bytea || '\x00ff00010203000000'::bytea, NULL, NULL, NULL, NULL, NULL),
 (12, 'every byte', 'bytea 0..255',
      (SELECT string_agg(set_byte('\x00'::bytea, 0, b), ''::bytea ORDER BY b) FROM generate_series(0, 255) b),
      NULL, NULL, NULL, NULL, NULL),
 (13, 'json', 'jsonb with escapes',
      NULL,
      '{"a": [1, 2.5, -0.0001, 1e30, null, true, false], "nested": {"k": "v\nwith newline\tand tab"},
        "unicode": "\u00e9\ud83d\ude00 ✓", "esc": "quote\" back\\slash", "empty": {}, "": "empty key"}',
      'happy', -12345678901234567890.0123456789, ARRAY['a,b', 'c"d', E'e\\f', 'NULL', NULL, ''], '2001-02-03 04:05:06.789+00'),
 (14, 'quotes', $q$it's "quoted" `back` $dollar$ $$ ;-- not a comment$q$, NULL, NULL, NULL, NULL, NULL, NULL),
 (15, 'sql-looking', E'\'); DROP TABLE public.awkward; --\n\\! rm -rf /\n\\q', NULL, NULL, NULL, NULL, NULL, NULL),
 (16, 'long line', repeat('0123456789abcdef', 8192), NULL, NULL, NULL, NULL, NULL, 'infinity'),
 (17, 'special numbers', 'NaN and extremes', NULL, '[1.0, 100000000000000000000000000000000001]', 'sad', 'NaN', NULL, '-infinity');

-- Some bulk, deterministic: mixed text, bytes with zeros, JSON.
INSERT INTO public.awkward (id, label, body, raw, doc, feel, amount, tags, at)
SELECT 1000 + i,
       'row ' || i,
       CASE i % 5 WHEN 0 THEN NULL WHEN 1 THEN E'multi\nline ' || i WHEN 2 THEN E'tab\t' || i
                  WHEN 3 THEN 'ünïcödé ' || i || ' 😀' ELSE repeat(md5(i::text), i % 7) END,
       decode(md5(i::text) || '00' || md5((i * 7)::text), 'hex'),
       jsonb_build_object('i', i, 's', md5(i::text), 'l', jsonb_build_array(i, i * 2, NULL)),
       (ARRAY['sad', 'ok', 'happy']::public.mood[])[1 + i % 3],
       i * 1.5,
       ARRAY[i::text, md5(i::text)],
       timestamptz '2020-01-01 00:00:00+00' + i * interval '1 hour 7 seconds'
FROM generate_series(1, 2000) i;

-- A large object with zero bytes in it, with a fixed OID, referenced from a table.
CREATE TABLE public.documents (
    name text PRIMARY KEY,
    blob oid NOT NULL
);
INSERT INTO public.documents VALUES
 ('zeros and bytes', lo_from_bytea(424242, decode(repeat('00ff10', 40000), 'hex') || convert_to('fin 😀', 'UTF8'))),
 ('empty object', lo_from_bytea(424243, '\x'::bytea));
COMMENT ON LARGE OBJECT 424242 IS 'a large object';

-- An empty table.
CREATE TABLE public.empty_table (
    id   integer,
    note text
);

-- A sequence with a non-default state, and one owned by an identity column.
CREATE SEQUENCE public.counter START 1 INCREMENT 3;
SELECT setval('public.counter', 987654321, true);
CREATE SEQUENCE public.not_called_yet START 42;

-- A view.
CREATE VIEW public.awkward_view AS
    SELECT id, label, length(body) AS body_length, octet_length(raw) AS raw_length
    FROM public.awkward WHERE id < 100;

-- A second schema with names that need quoting.
CREATE SCHEMA "Odd Schema";
COMMENT ON SCHEMA "Odd Schema" IS 'a schema with a space in its name';
CREATE TABLE "Odd Schema"."MixedCase Table" (
    "Id"        integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    "select"    text,
    "Weird Col" text,
    "ÜnicodeCol" text,
    ref         integer REFERENCES public.awkward (id)
);
INSERT INTO "Odd Schema"."MixedCase Table" ("select", "Weird Col", "ÜnicodeCol", ref)
SELECT 'select ' || i, E'weird\t' || i, 'ü' || i, CASE WHEN i % 2 = 0 THEN 1000 + i END
FROM generate_series(1, 300) i;
CREATE SEQUENCE "Odd Schema"."Odd Seq" INCREMENT BY 7 MINVALUE -1000 START WITH -1000;
SELECT setval('"Odd Schema"."Odd Seq"', 4242, true);
CREATE VIEW "Odd Schema"."odd view" AS
    SELECT "Id", "select" FROM "Odd Schema"."MixedCase Table" WHERE "Id" % 10 = 0;

ANALYZE;
