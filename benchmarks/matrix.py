"""Every run of the live benchmark the deployment notes quote, one after another, as JSON lines.

Each line is the ``--json`` object of one ``python -m benchmarks.live`` run (phones, server processes, async
mode), in the order given; a run that fails is recorded as ``{"clients", "processes", "async_mode",
"failed": "<last lines of its output>"}`` and the others go on.

Run: python -m benchmarks.matrix [--clients 1000,2000,500,200] [--processes 1,2] [--modes eventlet,gevent]
                                 [--seconds 60] [--rate 100] [--join-rate 20] [--out runs.jsonl]
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
from pathlib import Path


def main() -> None:
    """Run the combinations and append one JSON line per run to --out (and print it)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", default="1000,2000,500,200")
    parser.add_argument("--processes", default="1,2")
    parser.add_argument("--modes", default="eventlet,gevent")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--join-rate", type=float, default=20)
    parser.add_argument("--out", default="benchmark-runs.jsonl")
    args = parser.parse_args()
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
