"""A 300-item tool built from the rtw-review template, for benchmarks."""

from __future__ import annotations

from dataclasses import replace

from workshop.core.content import ToolContent
from workshop.core.toolformat import template


def tool_with_items(count: int = 300) -> ToolContent:
    """Return the rtw-review template grown to ``count`` items by varying its items."""
    base = template("rtw-review")
    seeds = base.items()
    per_topic: dict[str, list] = {t.id: [] for _, t in base.topics()}
    for n in range(count):
        _, topic, item = seeds[n % len(seeds)]
        # Items that others' show_when refers to keep their ids only in their first copy.
        copy = replace(item, id=f"{item.id}_{n}", code=f"{item.code[:18]}_{n}", show_when=None)
        per_topic[topic.id].append(copy)
    domains = tuple(
        replace(d, topics=tuple(replace(t, items=tuple(per_topic[t.id])) for t in d.topics)) for d in base.domains
    )
    return replace(base, domains=domains)
