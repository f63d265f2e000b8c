--
-- PostgreSQL database dump
--

\restrict EgenPyk8evgWqF4kS0xmjjhRtPXb0sbFdEKC0WNNpyCiHrpozxYf0XbRCAVJGjh

-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: Weird.Schema; Type: SCHEMA; Schema: -; Owner: postgres
--

CREATE SCHEMA "Weird.Schema";


ALTER SCHEMA "Weird.Schema" OWNER TO postgres;

--
-- Name: app; Type: SCHEMA; Schema: -; Owner: postgres
--

CREATE SCHEMA app;


ALTER SCHEMA app OWNER TO postgres;

--
-- Name: trap(); Type: FUNCTION; Schema: app; Owner: postgres
--

CREATE FUNCTION app.trap() RETURNS text
    LANGUAGE sql
    AS $$ SELECT 'x
COPY public.fake (a) FROM stdin;
\.
'::text $$;


ALTER FUNCTION app.trap() OWNER TO postgres;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: données; Type: TABLE; Schema: Weird.Schema; Owner: postgres
--

CREATE TABLE "Weird.Schema"."données" (
    x text
);


ALTER TABLE "Weird.Schema"."données" OWNER TO postgres;

--
-- Name: Odd "Name"; Type: TABLE; Schema: app; Owner: postgres
--

CREATE TABLE app."Odd ""Name""" (
    id integer,
    "Mixed Col" text
);


ALTER TABLE app."Odd ""Name""" OWNER TO postgres;

--
-- Name: counter; Type: SEQUENCE; Schema: app; Owner: postgres
--

CREATE SEQUENCE app.counter
    START WITH 42
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE app.counter OWNER TO postgres;

--
-- Name: empty_table; Type: TABLE; Schema: app; Owner: postgres
--

CREATE TABLE app.empty_table (
    id integer
);


ALTER TABLE app.empty_table OWNER TO postgres;

--
-- Name: measure; Type: TABLE; Schema: app; Owner: postgres
--

CREATE TABLE app.measure (
    ts date,
    v integer
)
PARTITION BY RANGE (ts);


ALTER TABLE app.measure OWNER TO postgres;

--
-- Name: measure_2023; Type: TABLE; Schema: app; Owner: postgres
--

CREATE TABLE app.measure_2023 (
    ts date,
    v integer
);


ALTER TABLE app.measure_2023 OWNER TO postgres;

--
-- Name: measure_2024; Type: TABLE; Schema: app; Owner: postgres
--

CREATE TABLE app.measure_2024 (
    ts date,
    v integer
);


ALTER TABLE app.measure_2024 OWNER TO postgres;

--
-- Name: thousand; Type: TABLE; Schema: app; Owner: postgres
--

CREATE TABLE app.thousand (
    id integer NOT NULL,
    v text
);


ALTER TABLE app.thousand OWNER TO postgres;

--
-- Name: TABLE thousand; Type: COMMENT; Schema: app; Owner: postgres
--

COMMENT ON TABLE app.thousand IS 'multi
COPY public.fake2 FROM stdin;
\.
end';


--
-- Name: mv; Type: MATERIALIZED VIEW; Schema: app; Owner: postgres
--

CREATE MATERIALIZED VIEW app.mv AS
 SELECT count(*) AS n
   FROM app.thousand
  WI