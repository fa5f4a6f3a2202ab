"""`python -m indexer.relevance.generate`: (re)write data/ from the seeded corpus generator and the queries'
intents, judging every query on the ground truth (never on a search). Deterministic: the same files each run."""

from __future__ import annotations

import sys
from pathlib import Path

from indexer.relevance import corpus, dataset
from indexer.relevance.judge import judgments
from indexer.relevance.queries import QUERIES


def build(section: str) -> tuple[list[dict], list[dict]]:
    postings = corpus.GENERATORS[section]()
    judged = [{"query": text, "category": category, "intent": intent,
               "relevant": judgments(section, intent, postings)} for text, category, intent in QUERIES[section]]
    return postings, judged


def main(directory: Path = Path(__file__).parent / "data") -> int:
    directory.mkdir(exist_ok=True)
    for section in corpus.GENERATORS:
        postings, judged = build(section)
        dataset.write(directory, section, corpus.NOW, postings, judged)
        empty = [q["query"] for q in judged if not q["relevant"]]
        print(f"{section}: {len(postings)} postings, {len(judged)} queries"
              + (f"; no relevant posting for {empty}" if empty else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
