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
  WITH NO DATA;


ALTER TABLE app.mv OWNER TO postgres;

--
-- Name: nocols; Type: TABLE; Schema: app; Owner: postgres
--

CREATE TABLE app.nocols (
);


ALTER TABLE app.nocols OWNER TO postgres;

--
-- Name: awkward; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.awkward (
    id integer NOT NULL,
    t text,
    note character varying(20)
);


ALTER TABLE public.awkward OWNER TO postgres;

--
-- Name: COLUMN awkward.t; Type: COMMENT; Schema: public; Owner: postgres
--

COMMENT ON COLUMN public.awkward.t IS 'it''s "quoted" $$ not a dollar quote';


--
-- Name: v_awkward; Type: VIEW; Schema: app; Owner: postgres
--

CREATE VIEW app.v_awkward AS
 SELECT awkward.id,
    awkward.t
   FROM public.awkward
  WHERE (awkward.t IS NOT NULL);


ALTER TABLE app.v_awkward OWNER TO postgres;

--
-- Name: awkward_id_seq; Type: SEQUENCE; Schema: public; Owner: postgres
--

CREATE SEQUENCE public.awkward_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE public.awkward_id_seq OWNER TO postgres;

--
-- Name: awkward_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: postgres
--

ALTER SEQUENCE public.awkward_id_seq OWNED BY public.awkward.id;


--
-- Name: blobs; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.blobs (
    id integer NOT NULL,
    b bytea
);


ALTER TABLE public.blobs OWNER TO postgres;

--
-- Name: docs; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.docs (
    id integer,
    j jsonb
);


ALTER TABLE public.docs OWNER TO postgres;

--
-- Name: measure_2023; Type: TABLE ATTACH; Schema: app; Owner: postgres
--

ALTER TABLE ONLY app.measure ATTACH PARTITION app.measure_2023 FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');


--
-- Name: measure_2024; Type: TABLE ATTACH; Schema: app; Owner: postgres
--

ALTER TABLE ONLY app.measure ATTACH PARTITION app.measure_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');


--
-- Name: awkward id; Type: DEFAULT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.awkward ALTER COLUMN id SET DEFAULT nextval('public.awkward_id_seq'::regclass);


--
-- Name: 16450; Type: BLOB; Schema: -; Owner: postgres
--

SELECT pg_catalog.lo_create('16450');


ALTER LARGE OBJECT 16450 OWNER TO postgres;

--
-- Data for Name: données; Type: TABLE DATA; Schema: Weird.Schema; Owner: postgres
--

COPY "Weird.Schema"."données" (x) FROM stdin;
ça
a\\b
\.


--
-- Data for Name: Odd "Name"; Type: TABLE DATA; Schema: app; Owner: postgres
--

COPY app."Odd ""Name""" (id, "Mixed Col") FROM stdin;
1	one
2	two\nlines
3	\N
\.


--
-- Data for Name: empty_table; Type: TABLE DATA; Schema: app; Owner: postgres
--

COPY app.empty_table (id) FROM stdin;
\.


--
-- Data for Name: measure_2023; Type: TABLE DATA; Schema: app; Owner: postgres
--

COPY app.measure_2023 (ts, v) FROM stdin;
2023-05-01	1
2023-06-01	2
\.


--
-- Data for Name: measure_2024; Type: TABLE DATA; Schema: app; Owner: postgres
--

COPY app.measure_2024 (ts, v) FROM stdin;
2024-01-02	3
2024-02-03	4
2024-12-31	5
\.


--
-- Data for Name: nocols; Type: TABLE DATA; Schema: app; Owner: postgres
--

COPY app.nocols  FROM stdin;



\.


--
-- Data for Name: thousand; Type: TABLE DATA; Schema: app; Owner: postgres
--

COPY app.thousand (id, v) FROM stdin;
1	r1
2	r2
3	r3
4	r4
5	r5
6	r6
7	r7
8	r8
9	r9
10	r10
11	r11
12	r12
13	r13
14	r14
15	r15
16	r16
17	r17
18	r18
19	r19
20	r20
21	r21
22	r22
23	r23
24	r24
25	r25
26	r26
27	r27
28	r28
29	r29
30	r30
31	r31
32	r32
33	r33
34	r34
35	r35
36	r36
37	r37
38	r38
39	r39
40	r40
41	r41
42	r42
43	r43
44	r44
45	r45
46	r46
47	r47
48	r48
49	r49
50	r50
51	r51
52	r52
53	r53
54	r54
55	r55
56	r56
57	r57
58	r58
59	r59
60	r60
61	r61
62	r62
63	r63
64	r64
65	r65
66	r66
67	r67
68	r68
69	r69
70	r70
71	r71
72	r72
73	r73
74	r74
75	r75
76	r76
77	r77
78	r78
79	r79
80	r80
81	r81
82	r82
83	r83
84	r84
85	r85
86	r86
87	r87
88	r88
89	r89
90	r90
91	r91
92	r92
93	r93
94	r94
95	r95
96	r96
97	r97
98	r98
99	r99
100	r100
101	r101
102	r102
103	r103
104	r104
105	r105
106	r106
107	r107
108	r108
109	r109
110	r110
111	r111
112	r112
113	r113
114	r114
115	r115
116	r116
117	r117
118	r118
119	r119
120	r120
121	r121
122	r122
123	r123
124	r124
125	r125
126	r126
127	r127
128	r128
129	r129
130	r130
131	r131
132	r132
133	r133
134	r134
135	r135
136	r136
137	r137
138	r138
139	r139
140	r140
141	r141
142	r142
143	r143
144	r144
145	r145
146	r146
147	r147
148	r148
149	r149
150	r150
151	r151
152	r152
153	r153
154	r154
155	r155
156	r156
157	r157
158	r158
159	r159
160	r160
161	r161
162	r162
163	r163
164	r164
165	r165
166	r166
167	r167
168	r168
169	r169
170	r170
171	r171
172	r172
173	r173
174	r174
175	r175
176	r176
177	r177
178	r178
179	r179
180	r180
181	r181
182	r182
183	r183
184	r184
185	r185
186	r186
187	r187
188	r188
189	r189
190	r190
191	r191
192	r192
193	r193
194	r194
195	r195
196	r196
197	r197
198	r198
199	r199
200	r200
201	r201
202	r202
203	r203
204	r204
205	r205
206	r206
207	r207
208	r208
209	r209
210	r210
211	r211
212	r212
213	r213
214	r214
215	r215
216	r216
217	r217
218	r218
219	r219
220	r220
221	r221
222	r222
223	r223
224	r224
225	r225
226	r226
227	r227
228	r228
229	r229
230	r230
231	r231
232	r232
233	r233
234	r234
235	r235
236	r236
237	r237
238	r238
239	r239
240	r240
241	r241
242	r242
243	r243
244	r244
245	r245
246	r246
247	r247
248	r248
249	r249
250	r250
251	r251
252	r252
253	r253
254	r254
255	r255
256	r256
257	r257
258	r258
259	r259
260	r260
261	r261
262	r262
263	r263
264	r264
265	r265
266	r266
267	r267
268	r268
269	r269
270	r270
271	r271
272	r272
273	r273
274	r274
275	r275
276	r276
277	r277
278	r278
279	r279
280	r280
281	r281
282	r282
283	r283
284	r284
285	r285
286	r286
287	r287
288	r288
289	r289
290	r290
291	r291
292	r292
293	r293
294	r294
295	r295
296	r296
297	r297
298	r298
299	r299
300	r300
301	r301
302	r302
303	r303
304	r304
305	r305
306	r306
307	r307
308	r308
309	r309
310	r310
311	r311
312	r312
313	r313
314	r314
315	r315
316	r316
317	r317
318	r318
319	r319
320	r320
321	r321
322	r322
323	r323
324	r324
325	r325
326	r326
327	r327
328	r328
329	r329
330	r330
331	r331
332	r332
333	r333
334	r334
335	r335
336	r336
337	r337
338	r338
339	r339
340	r340
341	r341
342	r342
343	r343
344	r344
345	r345
346	r346
347	r347
348	r348
349	r349
350	r350
351	r351
352	r352
353	r353
354	r354
355	r355
356	r356
357	r357
358	r358
359	r359
360	r360
361	r361
362	r362
363	r363
364	r364
365	r365
366	r366
367	r367
368	r368
369	r369
370	r370
371	r371
372	r372
373	r373
374	r374
375	r375
376	r376
377	r377
378	r378
379	r379
380	r380
381	r381
382	r382
383	r383
384	r384
385	r385
386	r386
387	r387
388	r388
389	r389
390	r390
391	r391
392	r392
393	r393
394	r394
395	r395
396	r396
397	r397
398	r398
399	r399
400	r400
401	r401
402	r402
403	r403
404	r404
405	r405
406	r406
407	r407
408	r408
409	r409
410	r410
411	r411
412	r412
413	r413
414	r414
415	r415
416	r416
417	r417
418	r418
419	r419
420	r420
421	r421
422	r422
423	r423
424	r424
425	r425
426	r426
427	r427
428	r428
429	r429
430	r430
431	r431
432	r432
433	r433
434	r434
435	r435
436	r436
437	r437
438	r438
439	r439
440	r440
441	r441
442	r442
443	r443
444	r444
445	r445
446	r446
447	r447
448	r448
449	r449
450	r450
451	r451
452	r452
453	r453
454	r454
455	r455
456	r456
457	r457
458	r458
459	r459
460	r460
461	r461
462	r462
463	r463
464	r464
465	r465
466	r466
467	r467
468	r468
469	r469
470	r470
471	r471
472	r472
473	r473
474	r474
475	r475
476	r476
477	r477
478	r478
479	r479
480	r480
481	r481
482	r482
483	r483
484	r484
485	r485
486	r486
487	r487
488	r488
489	r489
490	r490
491	r491
492	r492
493	r493
494	r494
495	r495
496	r496
497	r497
498	r498
499	r499
500	r500
501	r501
502	r502
503	r503
504	r504
505	r505
506	r506
507	r507
508	r508
509	r509
510	r510
511	r511
512	r512
513	r513
514	r514
515	r515
516	r516
517	r517
518	r518
519	r519
520	r520
521	r521
522	r522
523	r523
524	r524
525	r525
526	r526
527	r527
528	r528
529	r529
530	r530
531	r531
532	r532
533	r533
534	r534
535	r535
536	r536
537	r537
538	r538
539	r539
540	r540
541	r541
542	r542
543	r543
544	r544
545	r545
546	r546
547	r547
548	r548
549	r549
550	r550
551	r551
552	r552
553	r553
554	r554
555	r555
556	r556
557	r557
558	r558
559	r559
560	r560
561	r561
562	r562
563	r563
564	r564
565	r565
566	r566
567	r567
568	r568
569	r569
570	r570
571	r571
572	r572
573	r573
574	r574
575	r575
576	r576
577	r577
578	r578
579	r579
580	r580
581	r581
582	r582
583	r583
584	r584
585	r585
586	r586
587	r587
588	r588
589	r589
590	r590
591	r591
592	r592
593	r593
594	r594
595	r595
596	r596
597	r597
598	r598
599	r599
600	r600
601	r601
602	r602
603	r603
604	r604
605	r605
606	r606
607	r607
608	r608
609	r609
610	r610
611	r611
612	r612
613	r613
614	r614
615	r615
616	r616
617	r617
618	r618
619	r619
620	r620
621	r621
622	r622
623	r623
624	r624
625	r625
626	r626
627	r627
628	r628
629	r629
630	r630
631	r631
632	r632
633	r633
634	r634
635	r635
636	r636
637	r637
638	r638
639	r639
640	r640
641	r641
642	r642
643	r643
644	r644
645	r645
646	r646
647	r647
648	r648
649	r649
650	r650
651	r651
652	r652
653	r653
654	r654
655	r655
656	r656
657	r657
658	r658
659	r659
660	r660
661	r661
662	r662
663	r663
664	r664
665	r665
666	r666
667	r667
668	r668
669	r669
670	r670
671	r671
672	r672
673	r673
674	r674
675	r675
676	r676
677	r677
678	r678
679	r679
680	r680
681	r681
682	r682
683	r683
684	r684
685	r685
686	r686
687	r687
688	r688
689	r689
690	r690
691	r691
692	r692
693	r693
694	r694
695	r695
696	r696
697	r697
698	r698
699	r699
700	r700
701	r701
702	r702
703	r703
704	r704
705	r705
706	r706
707	r707
708	r708
709	r709
710	r710
711	r711
712	r712
713	r713
714	r714
715	r715
716	r716
717	r717
718	r718
719	r719
720	r720
721	r721
722	r722
723	r723
724	r724
725	r725
726	r726
727	r727
728	r728
729	r729
730	r730
731	r731
732	r732
733	r733
734	r734
735	r735
736	r736
737	r737
738	r738
739	r739
740	r740
741	r741
742	r742
743	r743
744	r744
745	r745
746	r746
747	r747
748	r748
749	r749
750	r750
751	r751
752	r752
753	r753
754	r754
755	r755
756	r756
757	r757
758	r758
759	r759
760	r760
761	r761
762	r762
763	r763
764	r764
765	r765
766	r766
767	r767
768	r768
769	r769
770	r770
771	r771
772	r772
773	r773
774	r774
775	r775
776	r776
777	r777
778	r778
779	r779
780	r780
781	r781
782	r782
783	r783
784	r784
785	r785
786	r786
787	r787
788	r788
789	r789
790	r790
791	r791
792	r792
793	r793
794	r794
795	r795
796	r796
797	r797
798	r798
799	r799
800	r800
801	r801
802	r802
803	r803
804	r804
805	r805
806	r806
807	r807
808	r808
809	r809
810	r810
811	r811
812	r812
813	r813
814	r814
815	r815
816	r816
817	r817
818	r818
819	r819
820	r820
821	r821
822	r822
823	r823
824	r824
825	r825
826	r826
827	r827
828	r828
829	r829
830	r830
831	r831
832	r832
833	r833
834	r834
835	r835
836	r836
837	r837
838	r838
839	r839
840	r840
841	r841
842	r842
843	r843
844	r844
845	r845
846	r846
847	r847
848	r848
849	r849
850	r850
851	r851
852	r852
853	r853
854	r854
855	r855
856	r856
857	r857
858	r858
859	r859
860	r860
861	r861
862	r862
863	r863
864	r864
865	r865
866	r866
867	r867
868	r868
869	r869
870	r870
871	r871
872	r872
873	r873
874	r874
875	r875
876	r876
877	r877
878	r878
879	r879
880	r880
881	r881
882	r882
883	r883
884	r884
885	r885
886	r886
887	r887
888	r888
889	r889
890	r890
891	r891
892	r892
893	r893
894	r894
895	r895
896	r896
897	r897
898	r898
899	r899
900	r900
901	r901
902	r902
903	r903
904	r904
905	r905
906	r906
907	r907
908	r908
909	r909
910	r910
911	r911
912	r912
913	r913
914	r914
915	r915
916	r916
917	r917
918	r918
919	r919
920	r920
921	r921
922	r922
923	r923
924	r924
925	r925
926	r926
927	r927
928	r928
929	r929
930	r930
931	r931
932	r932
933	r933
934	r934
935	r935
936	r936
937	r937
938	r938
939	r939
940	r940
941	r941
942	r942
943	r943
944	r944
945	r945
946	r946
947	r947
948	r948
949	r949
950	r950
951	r951
952	r952
953	r953
954	r954
955	r955
956	r956
957	r957
958	r958
959	r959
960	r960
961	r961
962	r962
963	r963
964	r964
965	r965
966	r966
967	r967
968	r968
969	r969
970	r970
971	r971
972	r972
973	r973
974	r974
975	r975
976	r976
977	r977
978	r978
979	r979
980	r980
981	r981
982	r982
983	r983
984	r984
985	r985
986	r986
987	r987
988	r988
989	r989
990	r990
991	r991
992	r992
993	r993
994	r994
995	r995
996	r996
997	r997
998	r998
999	r999
1000	r1000
\.


--
-- Data for Name: awkward; Type: TABLE DATA; Schema: public; Owner: postgres
--

COPY public.awkward (id, t, note) FROM stdin;
1	line one\nline two	newline
2	tab\there	tab
3	back\\slash \\. and \\N	backslash
4	\N	null
5		empty
6	\\.	copy terminator
7	.	dot
8	crlf\r\nend	crlf
9	héllo wörld ✓ 日本語 🐘	unicode
10	trailing\n	trailing newline
11	\nCOPY public.fake (a) FROM stdin;\n	copy inside
\.


--
-- Data for Name: blobs; Type: TABLE DATA; Schema: public; Owner: postgres
--

COPY public.blobs (id, b) FROM stdin;
1	\\x000102030a0d5c2e0a
2	\N
3	\\x00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c00ff0a5c
4	\\x
\.


--
-- Data for Name: docs; Type: TABLE DATA; Schema: public; Owner: postgres
--

COPY public.docs (id, j) FROM stdin;
1	{"a": "multi\\nline", "b": [1, 2, {"c": "tab\\there"}], "u": "ünï ✓"}
2	null
3	\N
4	"\\\\."
\.


--
-- Name: counter; Type: SEQUENCE SET; Schema: app; Owner: postgres
--

SELECT pg_catalog.setval('app.counter', 42, true);


--
-- Name: awkward_id_seq; Type: SEQUENCE SET; Schema: public; Owner: postgres
--

SELECT pg_catalog.setval('public.awkward_id_seq', 11, true);


--
-- Data for Name: BLOBS; Type: BLOBS; Schema: -; Owner: -
--

BEGIN;

SELECT pg_catalog.lo_open('16450', 131072);
SELECT pg_catalog.lowrite(0, '\x6c61726765206f626a6563740a5c2e0a77697468206e65776c696e6573');
SELECT pg_catalog.lo_close(0);

COMMIT;

--
-- Name: thousand thousand_pkey; Type: CONSTRAINT; Schema: app; Owner: postgres
--

ALTER TABLE ONLY app.thousand
    ADD CONSTRAINT thousand_pkey PRIMARY KEY (id);


--
-- Name: awkward awkward_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.awkward
    ADD CONSTRAINT awkward_pkey PRIMARY KEY (id);


--
-- Name: blobs blobs_pkey; Type: CONSTRAINT; Schema: public; Owner: postgres
--

ALTER TABLE ONLY public.blobs
    ADD CONSTRAINT blobs_pkey PRIMARY KEY (id);


--
-- Name: mv; Type: MATERIALIZED VIEW DATA; Schema: app; Owner: postgres
--

REFRESH MATERIALIZED VIEW app.mv;


--
-- PostgreSQL database dump complete
--

\unrestrict EgenPyk8evgWqF4kS0xmjjhRtPXb0sbFdEKC0WNNpyCiHrpozxYf0XbRCAVJGjh

