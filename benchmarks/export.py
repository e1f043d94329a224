"""Export figures: time and size of every export format for a 300-item tool.

Run: python -m benchmarks.export [--items 300] [--runs 5] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from dataclasses import replace
from datetime import UTC, datetime

from benchmarks.tool300 import tool_with_items
from workshop.core.content import ShowWhen, ToolContent
from workshop.core.drafts import VersionInfo
from workshop.core.toolformat import template
from workshop.core.validation import validate
from workshop.export.formats import FORMATS


def tool(count: int) -> ToolContent:
    """Return the grown template with each copy's show_when pointing at the copy of its target in the same round."""
    content = tool_with_items(count)
    seeds = [i for _, _, i in template("rtw-review").items()]
    position = {item.id: n for n, item in enumerate(seeds)}
    ids = {i.id for _, _, i in content.items()}
    rewired = {}
    for n in range(count):
        # tool300 names the n-th copy "<seed id>_<n>", cycling through the template's items.
        seed = seeds[n % len(seeds)]
        if seed.show_when is not None:
            target_n = n - n % len(seeds) + position[seed.show_when.item_id]
            target = f"{seed.show_when.item_id}_{target_n}"
            if target in ids:
                rewired[f"{seed.id}_{n}"] = ShowWhen(target, seed.show_when.when)
    domains = tuple(
        replace(
            d,
            topics=tuple(
                replace(t, items=tuple(replace(i, show_when=rewired.get(i.id)) for i in t.items)) for t in d.topics
            ),
        )
        for d in content.domains
    )
    return validate(replace(content, domains=domains))


def measure(content: ToolContent, info: VersionInfo, runs: int) -> dict[str, dict[str, float]]:
    """Export the content in every format ``runs`` times; return median ms and size in KB per format."""
    figures = {}
    for name, fmt in FORMATS.items():
        fmt.render(content, info)  # warm up: first imports and caches are not what a user waits for twice
        times, size = [], 0
        for _ in range(runs):
            started = time.perf_counter()
            size = len(fmt.render(content, info))
            times.append((time.perf_counter() - started) * 1000)
        figures[name] = {"median_ms": round(statistics.median(times), 1), "size_kb": round(size / 1024, 1)}
    return figures


def main() -> None:
    """Build the tool, export it in every format and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    content = tool(args.items)
    info = VersionInfo(1, 1, None, "create", datetime.now(UTC), "benchmark", "", None, "", [], False)
    figures = measure(content, info, args.runs)
    if args.json:
        print(json.dumps({"items": len(content.items()), "runs": args.runs, "formats": figures}))
        return
    conditional = sum(1 for _, _, i in content.items() if i.show_when)
    print(f"Export of a {len(content.items())}-item tool ({conditional} conditional), median of {args.runs} runs")
    print(f"{'format':<10}{'median ms':>12}{'size KB':>12}")
    for name, row in figures.items():
        print(f"{name:<10}{row['median_ms']:>12.1f}{row['size_kb']:>12.1f}")


if __name__ == "__main__":
    main()
