"""The judged relevance set: how well the search box finds what people mean, measured like a test.

`jobboard index relevance [--section NAME] [--json] [--verbose]` indexes each section's generated corpus
(data/<section>.corpus.json, written by corpus.py) into an index of its own (`relevance_<section>_v1` behind
the alias `relevance_<section>`, never a production alias; deleted afterwards), asks every judged query
(data/<section>.queries.json) through the app's own listing path (`ListingRequest` and `search_listing`,
query_type 1, the keyword alone), reads the whole result list (up to DEPTH postings) and scores it against the
judgments, which come from the postings' ground truth (judge.py), never from the search under test.

Per query (a posting's grade: 2 exact intent, 1 partially relevant, 0 otherwise; "relevant" is grade ≥ 1):
- recall: relevant postings anywhere in the result list / all relevant postings;
- P@10: relevant postings among the first 10 / min(10, all relevant postings);
- nDCG@10: Σ (2^grade − 1) / log2(rank + 1) over the first 10, divided by the same of the ideal order;
- zero result: the query found nothing although relevant postings exist.
Per section: the mean of each over its queries (every query counts once), and the zero-result rate: the share
of its queries (all have relevant postings) that found nothing. The same per category (typical, unspaced,
synonym, typo, pinyin, number, place, facility, trap, combo).
"""
