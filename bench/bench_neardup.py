"""Micro-benchmark: near-duplicate fingerprint cost per document (python -m bench.bench_neardup).

Measured here, not asserted in a test: timings on this 2-core machine are noisy.
"""

from __future__ import annotations

import statistics
import time

from newscrawl.extract import neardup
from newscrawl_replica.generate import generate_site


def main(count: int = 500, repeats: int = 5) -> None:
    docs = ["\n\n".join([a.title, a.lead, *a.paragraphs]) for a in generate_site("ict_en", count, 0).articles]
    docs += ["\n\n".join([a.title, a.lead, *a.paragraphs]) for a in generate_site("ict_fa", count, 0).articles]
    neardup.fingerprint_text(docs[0])  # warm-up
    runs = []
    for _ in range(repeats):
        started = time.process_time()
        for doc in docs:
            neardup.fingerprint_text(doc)
        runs.append((time.process_time() - started) / len(docs) * 1e6)
    chars = sum(map(len, docs)) / len(docs)
    print(f"near-duplicate fingerprint: median {statistics.median(runs):.0f} µs CPU per document "
          f"({len(docs)} documents of {chars:.0f} characters, {repeats} repeats, min {min(runs):.0f}, max {max(runs):.0f})")


if __name__ == "__main__":
    main()
