"""The relevance figures of one query's ranked result list against its judgments (`relevant`: id → grade,
2 exact intent, 1 partially relevant; every id not in it is 0). Definitions: indexer/relevance/__init__.py."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from math import log2

K = 10


def recall(ranked: Sequence[int], relevant: Mapping[int, int]) -> float:
    """Relevant postings found anywhere in the whole result list / all relevant postings."""
    wanted = {key for key, grade in relevant.items() if grade > 0}
    return len(wanted.intersection(ranked)) / len(wanted)


def precision_at(ranked: Sequence[int], relevant: Mapping[int, int], k: int = K) -> float:
    """Relevant postings among the first k / min(k, number of relevant postings): 1.0 when the first page is as
    good as the judged set allows, even if that set is smaller than a page."""
    wanted = sum(1 for grade in relevant.values() if grade > 0)
    found = sum(1 for key in ranked[:k] if relevant.get(key, 0) > 0)
    return found / min(k, wanted)


def dcg(grades: Sequence[int]) -> float:
    """Σ (2^grade − 1) / log2(rank + 1), ranks from 1."""
    return sum((2 ** grade - 1) / log2(rank + 1) for rank, grade in enumerate(grades, start=1))


def ndcg_at(ranked: Sequence[int], relevant: Mapping[int, int], k: int = K) -> float:
    """DCG of the first k results / DCG of the ideal first k (every judged posting, best grades first)."""
    ideal = dcg(sorted(relevant.values(), reverse=True)[:k])
    return dcg([relevant.get(key, 0) for key in ranked[:k]]) / ideal
