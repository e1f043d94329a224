"""Figures of the live benchmark from the load processes' raw results: percentiles and tally visibility.

Tally visibility: load process j votes only on its own subjects, and every vote is a new (phone, subject)
pair, so the total of j's subjects in a tally counts j's committed votes. Vote k of process j (k-th sent)
is taken as visible at a phone at the first tally there whose j-total is at least k. That is exact when
votes commit in the order they were sent; when one commits late, a later one stands in for it until it
does, so a late commit shows in the ack percentiles rather than here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

#: Histogram bins of 0.1 ms, up to two minutes.
BIN_MS = 0.1
BINS = int(120_000 / BIN_MS)


def percentile(values: Sequence[float], q: float) -> float | None:
    """Return the q-th percentile (0-100, linear interpolation), or None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


class Histogram:
    """Latencies counted in fixed bins, for percentiles of millions of samples."""

    def __init__(self) -> None:
        self.counts = [0] * (BINS + 1)
        self.total = 0

    def add(self, ms: float) -> None:
        """Count one latency in milliseconds."""
        self.counts[min(max(int(ms / BIN_MS), 0), BINS)] += 1
        self.total += 1

    def percentile(self, q: float) -> float | None:
        """Return the upper edge of the bin holding the q-th percentile, or None when empty."""
        if not self.total:
            return None
        wanted = math.ceil(self.total * q / 100)
        seen = 0
        for index, count in enumerate(self.counts):
            seen += count
            if seen >= wanted:
                return (index + 1) * BIN_MS
        return BINS * BIN_MS


def visibility(sends: list[list[float]], logs: Iterable[list[list[float]]]) -> dict[str, Any]:
    """Return tally latencies per (vote, phone) and per vote at the last phone, plus pairs never seen.

    ``sends[j][k-1]`` is when process j sent its k-th vote; each log is one phone's list of
    ``[time, total_0, total_1, ...]`` rows, one per tally that changed a total.
    """
    each = Histogram()
    slowest = [[0.0] * len(s) for s in sends]
    never = [[0] * len(s) for s in sends]
    phones = 0
    for log in logs:
        phones += 1
        for j, sent in enumerate(sends):
            seen = 0
            for row in log:
                total = min(int(row[1 + j]), len(sent))
                if total <= seen:
                    continue
                at = row[0]
                for k in range(seen, total):
                    ms = (at - sent[k]) * 1000
                    each.add(ms)
                    if ms > slowest[j][k]:
                        slowest[j][k] = ms
                seen = total
            for k in range(seen, len(sent)):
                never[j][k] += 1
    last = [ms for j, per_vote in enumerate(slowest) for k, ms in enumerate(per_vote) if not never[j][k]]
    return {
        "phones": phones,
        "each": each,
        "all_p50": percentile(last, 50),
        "all_p95": percentile(last, 95),
        "all_p99": percentile(last, 99),
        "unseen_pairs": sum(sum(n) for n in never),
        "unseen_votes": sum(1 for per_vote in never for n in per_vote if n),
    }
