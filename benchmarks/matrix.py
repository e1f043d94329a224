"""Every run of the live benchmark the deployment notes quote, one after another, as JSON lines.

Each line is the ``--json`` object of one ``python -m benchmarks.live`` run (phones, server processes, async
mode), in the order given; a run that fails is recorded as ``{"clients", "processes", "async_mode",
"failed": "<last lines of its output>"}`` and the others go on.

Run: python -m benchmarks.matrix [--clients 1000,2000,500,200] [--processes 1,2] [--modes eventlet,gevent]
                                 [--seconds 60] [--rate 100] [--join-rate 20] [--out runs.jsonl]
     python -m benchmarks.matrix --table runs.jsonl    # the runs as the Markdown table of docs/deploy.md
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

COLUMNS = (
    "phones | procs | mode | joined / dropped | join p95 ms | votes sent / acked / lost | ack p50 / p95 / p99 ms | "
    "tally p50 / p95 / p99 ms | tally at every phone p95 ms | relay tally p95 / every phone ms | ratio tally p95 | "
    "server CPU s (relay) | peak RSS MB | load"
)


def table(lines: list[dict[str, Any]]) -> str:
    """Return the runs as a Markdown table, sorted by phones, processes and mode."""
    rows = [f"| {COLUMNS} |", "|" + "---|" * len(COLUMNS.split(" | "))]
    for f in sorted(lines, key=lambda f: (f["clients"], f["processes"], f["async_mode"])):
        head = f"| {f['clients']} | {f['processes']} | {f['async_mode']} |"
        if "failed" in f:
            rows.append(head + " failed: " + " ".join(f["failed"].split())[:120] + " |" + " |" * 10)
            continue
        dropped = sum(n for k, n in f.get("errors", {}).items() if k.startswith("disconnected"))
        cells = [
            f"{f['joined']} / {dropped}",
            f"{f['join_p95_ms']}",
            f"{f['votes_sent']} / {f['votes_acked']} / {f['votes_lost']}",
            f"{f['ack_p50_ms']} / {f['ack_p95_ms']} / {f['ack_p99_ms']}",
            f"{f['tally_p50_ms']} / {f['tally_p95_ms']} / {f['tally_p99_ms']}",
            f"{f['tally_all_p95_ms']}",
            f"{f.get('baseline_tally_p95_ms')} / {f.get('baseline_tally_all_p95_ms')}",
            f"{f.get('ratio_tally_p95')}",
            f"{f['server_cpu_s']} ({f.get('baseline_cpu_s')})",
            f"{f['server_peak_rss_mb']}",
            f"{f['loadavg']}",
        ]
        rows.append(head + " " + " | ".join(cells) + " |")
    return "\n".join(rows)


def main() -> None:
    """Run the combinations and append one JSON line per run to --out (and print it); or print --table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", default="1000,2000,500,200")
    parser.add_argument("--processes", default="1,2")
    parser.add_argument("--modes", default="eventlet,gevent")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--join-rate", type=float, default=20)
    parser.add_argument("--out", default="benchmark-runs.jsonl")
    parser.add_argument("--table", metavar="RUNS", help="print the runs of this JSON-lines file as a table")
    args = parser.parse_args()
    if args.table:
        print(table([json.loads(line) for line in Path(args.table).read_text().splitlines() if line.strip()]))
        return
    combos = itertools.product(
        (int(n) for n in args.clients.split(",")),
        (int(n) for n in args.processes.split(",")),
        args.modes.split(","),
    )
    for clients, processes, mode in combos:
        command = [sys.executable, "-m", "benchmarks.live", "--clients", str(clients), "--rate", str(args.rate)]
        command += ["--seconds", str(args.seconds), "--join-rate", str(args.join_rate)]
        command += ["--processes", str(processes), "--async-mode", mode, "--json"]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        try:
            figures = json.loads(done.stdout.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            tail = (done.stdout + done.stderr).strip().splitlines()[-5:]
            figures = {"clients": clients, "processes": processes, "async_mode": mode, "failed": "\n".join(tail)}
        line = json.dumps(figures)
        print(line, flush=True)
        with Path(args.out).open("a") as out:
            out.write(line + "\n")


if __name__ == "__main__":
    main()
