"""Draft store figures: save a version and diff two versions of a 300-item tool; database size.

Run: python -m benchmarks.drafts [--versions 1000] [--items 300] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.tool300 import tool_with_items
from workshop.core import drafts
from workshop.core.actors import CLI
from workshop.core.diff import compare
from workshop.db import Database


def main() -> None:
    """Build a tool, save many one-item versions, diff some, and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--versions", type=int, default=1000)
    parser.add_argument("--items", type=int, default=300)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        db = Database(f"sqlite:///{path}")
        db.upgrade()
        content = tool_with_items(args.items)
        with db.write() as s:
            tool_id = drafts.create_tool(s, CLI, content).tool_id
        items = [i.id for _, _, i in content.items()]
        save_ms = []
        for n in range(1, args.versions):
            change = {
                "op": "update_item",
                "item_id": items[n % len(items)],
                "set": {"stem": f"Reworded stem number {n}"},
            }
            started = time.perf_counter()
            with db.write() as s:
                drafts.commit(s, tool_id, n, [change], CLI)
            save_ms.append((time.perf_counter() - started) * 1000)
        drafts._content_cache.clear()
        read_ms, diff_ms = [], []
        for n in range(1, min(args.versions, 101)):
            drafts._content_cache.clear()  # measure reads from the database, not the cache
            started = time.perf_counter()
            with db.read() as s:
                a = drafts.read(s, tool_id, n)
                b = drafts.read(s, tool_id, args.versions - n + 1)
            read_ms.append((time.perf_counter() - started) * 1000 / 2)
            started = time.perf_counter()
            compare(a, b)
            diff_ms.append((time.perf_counter() - started) * 1000)
        db.dispose()
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        db.dispose()
        size_mb = sum(p.stat().st_size for p in Path(tmp).iterdir()) / 1e6

    result = {
        "items": args.items,
        "versions": args.versions,
        "save_version_p50_ms": round(statistics.median(save_ms), 2),
        "save_version_p95_ms": round(statistics.quantiles(save_ms, n=20)[-1], 2),
        "read_version_uncached_p50_ms": round(statistics.median(read_ms), 2),
        "diff_p50_ms": round(statistics.median(diff_ms), 2),
        "db_size_mb": round(size_mb, 2),
    }
    if args.json:
        print(json.dumps(result))
        return
    width = max(len(k) for k in result)
    for key, value in result.items():
        print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
