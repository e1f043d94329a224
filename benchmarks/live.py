"""Live figures: N phones in one workshop vote at a steady rate while the tally is live, against a bare relay.

Starts the real server (`workshop serve`, its production async mode, its own process), a facilitator, a tool and
a workshop whose open, revealed proposal_vote round has enough proposals for every vote to be a new one; then
load processes of python-socketio asyncio clients join (POST /api/join, WebSocket, sync) and vote. Then the same
phones and votes against benchmarks/relay.py, a bare python-socketio server on the same async mode sending a tally
of the same shape on the same schedule; ``ratio_*`` figures divide ours by its.

Run: python -m benchmarks.live [--clients 1000] [--rate 100] [--seconds 60] [--processes 1]
                               [--async-mode eventlet|gevent] [--json]
With --processes 2 the servers share PostgreSQL and Redis (started here unless given) and the phones are split
between them (or all go through nginx running deploy/nginx.conf, with --nginx).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil

from benchmarks.livestats import percentile, visibility
from tests.live.harness import WORKSHOP, Client, Facilitator, Server, free_port
from tests.pgcluster import PostgresCluster
from tests.scaleout.services import Nginx, RedisServer
from workshop.broadcast import TALLY_INTERVAL

EMAIL = "bench@example.org"
PASSWORD = "a long enough benchmark password"
#: Every phone joins from 127.0.0.1 here: lift the per-address limits (the per-person event limit stays).
RATES = "join=1000000/minute,login=1000/minute"


class Watch:
    """Samples the summed RSS of some processes, keeping the peak."""

    def __init__(self, pids: list[int]) -> None:
        self.processes = [psutil.Process(pid) for pid in pids]
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            with contextlib.suppress(psutil.Error):
                self.peak = max(self.peak, sum(p.memory_info().rss for p in self.processes))

    def cpu(self) -> float:
        """Return the processes' CPU seconds so far (user + system)."""
        total = 0.0
        for p in self.processes:
            with contextlib.suppress(psutil.Error):
                times = p.cpu_times()
                total += times.user + times.system
        return total

    def stop(self) -> float:
        """Stop sampling; return the peak RSS in MB."""
        self._stop.set()
        self._thread.join()
        return self.peak / 2**20


class LoadProcess:
    """One benchmarks.liveload process and the lines it prints."""

    def __init__(self, plan: dict[str, Any]) -> None:
        self.plan = plan
        self.process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.liveload", json.dumps(plan)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put("")

    def expect(self, key: str, timeout: float) -> dict[str, Any]:
        """Wait for the JSON line that has ``key``; fail if the process ends or time runs out."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                raise RuntimeError(f"load process {self.plan['index']}: no {key!r} in {timeout:.0f} s") from None
            if not line:
                raise RuntimeError(f"load process {self.plan['index']} ended before {key!r}")
            message = json.loads(line)
            if key in message:
                return dict(message)

    def tell(self, line: str) -> None:
        """Send one line to the process."""
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def result(self) -> dict[str, Any]:
        """Return the raw results the process wrote."""
        self.process.wait(timeout=60)
        return dict(json.loads(Path(self.plan["out"]).read_text()))

    def kill(self) -> None:
        """End the process if it still runs."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def subject_groups(args: argparse.Namespace, proposal_ids: list[int]) -> list[list[str]]:
    """Split the round's subjects between the load processes."""
    per = len(proposal_ids) // args.load_processes
    subjects = [f"proposal:{i}" for i in proposal_ids]
    return [subjects[j * per : (j + 1) * per] for j in range(args.load_processes)]


def subjects_needed(args: argparse.Namespace) -> int:
    """Return how many proposals the round needs so that each phone votes at most once on each."""
    clients_per = args.clients // args.load_processes
    votes_per = math.ceil(args.rate * args.seconds / args.load_processes)
    return args.load_processes * max(2, math.ceil(votes_per / max(clients_per, 1)) + 1)


def prepare(server: Server, count: int) -> dict[str, Any]:
    """Log in, open a workshop with ``count`` revealed proposals and an open, revealed proposal_vote round."""
    facilitator = Facilitator(server, EMAIL, PASSWORD)
    workshop = facilitator.new_workshop()
    console = Client(server, {"workshop_id": workshop["id"]}, {"Cookie": facilitator.cookie_header()}).connect()
    try:
        topic = console.sync()["snapshot"]["draft"]["domains"][0]["topics"][0]["id"]
        ids = []
        for n in range(count):
            change = {"topic_id": topic, "stem": f"Benchmark question number {n + 1}?"}
            reply = console.call("proposal.submit", {"kind": "add_item", "change": change})
            assert reply["ok"], reply
            ids.append(reply["proposal"]["id"])
        assert console.call("proposals.reveal")["ok"]
        opened = console.call("round.open", {"proposal_ids": ids})
        assert opened["ok"], opened
        round_id = opened["round"]["id"]
        # Revealed while open, so every phone gets the counts (the larger tally) and can see its vote land.
        assert console.call("round.reveal", {"round_id": round_id})["ok"]
    finally:
        console.disconnect()
    return {"workshop_id": workshop["id"], "code": workshop["code"], "round_id": round_id, "proposal_ids": ids}


def drive(args: argparse.Namespace, tmp: Path, urls: list[str], setup: dict[str, Any], pids: list[int],
          baseline: bool, profile: Path | None = None) -> dict[str, Any]:  # fmt: skip
    """Run the load processes against ``urls``; return their merged results and the servers' costs."""
    groups = subject_groups(args, setup["proposal_ids"])
    watch = Watch(pids)
    loads: list[LoadProcess] = []
    for j in range(args.load_processes):
        share = args.clients // args.load_processes + (1 if j < args.clients % args.load_processes else 0)
        plan = {
            "index": j,
            "clients": share,
            "urls": urls[j % len(urls) :] + urls[: j % len(urls)],
            "code": setup["code"],
            "round_id": setup["round_id"],
            "groups": groups,
            "rate": args.rate / args.load_processes,
            "seconds": args.seconds,
            "settle": 2.0,
            "join_rate": args.join_rate / args.load_processes,
            "compress": args.compress,
            "baseline": baseline,
            "out": str(tmp / f"load-{'base' if baseline else 'app'}-{j}.json"),
        }
        loads.append(LoadProcess(plan))
    try:
        started = time.monotonic()
        ready = [load.expect("ready", timeout=600) for load in loads]
        joined_s = time.monotonic() - started
        rss_joined = watch.peak / 2**20
        load_before = os.getloadavg()[0]
        cpu_before = watch.cpu()
        generators = Watch([load.process.pid for load in loads])
        generators_before = generators.cpu()
        start = time.monotonic() + 0.5
        spy = None
        if profile is not None:
            spy_bin = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
            command = [spy_bin, "record", "--pid", str(pids[0]), "--rate", "200", "--nonblocking", "--format", "raw"]
            command += ["--output", str(profile), "--duration", str(int(args.seconds))]
            spy = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for load in loads:
            load.tell(f"go {start}")
        for load in loads:
            load.expect("voted", timeout=args.seconds + 120)
        cpu = watch.cpu() - cpu_before
        generators_cpu = generators.cpu() - generators_before
        generators.stop()
        if spy is not None:
            spy.wait(timeout=120)
        for load in loads:
            load.expect("done", timeout=300)
        results = [load.result() for load in loads]
    finally:
        for load in loads:
            load.kill()
        peak = watch.stop()
    return {
        "ready": ready,
        "results": results,
        "cpu": cpu,
        "load_cpu": generators_cpu,
        "peak_rss_mb": peak,
        "rss_joined_mb": rss_joined,
        "join_phase_s": joined_s,
        "load": load_before,
    }


def summarise(run: dict[str, Any]) -> dict[str, Any]:
    """Turn one run's raw results into figures."""
    results = run["results"]
    joins = [ms for r in results for ms in r["join_ms"]]
    votes = [(r["index"], v) for r in results for v in r["votes"]]
    acked = [v for _, v in votes if v[2] is not None and v[3]]
    ack_ms = [(v[2] - v[1]) * 1000 for v in acked]
    sends = [sorted(v[1] for j, v in votes if j == r["index"] and v[2] is not None and v[3]) for r in results]
    seen = visibility(sends, (log for r in results for log in r["tallies"]))
    counted = results[0]["counted"] or [0] * len(results)
    recorded = [
        sum(1 for v in r["votes"] if v[2] is not None and v[3]) - r["missing"] + r["unexpected"] for r in results
    ]
    errors: dict[str, int] = {}
    for r in results:
        for kind, n in r["errors"].items():
            errors[kind] = errors.get(kind, 0) + n
    each = seen["each"]
    return {
        "joined": sum(r["connected"] for r in results),
        "join_p95_ms": percentile(joins, 95),
        "votes_sent": len(votes),
        "votes_acked": len(acked),
        "votes_lost": sum(r["missing"] for r in results)
        + sum(abs(c - n) for c, n in zip(counted, recorded, strict=True)),
        "ack_p50_ms": percentile(ack_ms, 50),
        "ack_p95_ms": percentile(ack_ms, 95),
        "ack_p99_ms": percentile(ack_ms, 99),
        "tally_p50_ms": each.percentile(50),
        "tally_p95_ms": each.percentile(95),
        "tally_p99_ms": each.percentile(99),
        "tally_all_p95_ms": seen["all_p95"],
        "tally_unseen": seen["unseen_pairs"],
        "events_missing": sum(r["events_missing"] for r in results),
        "events_reordered": sum(r["events_reordered"] for r in results),
        "send_late_p99_ms": percentile([v[4] for _, v in votes], 99),
        "client_lag_p99_ms": percentile([ms for r in results for ms in r["loop_lag_ms"]], 99),
        "server_cpu_s": run["cpu"],
        "load_cpu_s": run["load_cpu"],
        "server_peak_rss_mb": run["peak_rss_mb"],
        "server_rss_joined_mb": run["rss_joined_mb"],
        "join_phase_s": run["join_phase_s"],
        "errors": errors,
        "loadavg": run["load"],
    }


def _round(value: Any) -> Any:
    return round(value, 1) if isinstance(value, float) else value


def start_servers(args: argparse.Namespace, tmp: Path, stack: contextlib.ExitStack) -> tuple[list[Server], list[str]]:
    """Start the database, Redis, the app's server processes (and nginx); return them and the phones' URLs."""
    database_url = args.database_url
    if database_url is None and (args.postgres or args.processes > 1):
        cluster = PostgresCluster().start()
        stack.callback(cluster.stop)
        database_url = cluster.new_database()
    database_url = database_url or f"sqlite:///{tmp / 'bench.db'}"
    env = {
        "WORKSHOP_ASYNC_MODE": args.async_mode,
        "WORKSHOP_RATE_LIMITS": RATES,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "benchmark-secret",
        **dict(item.split("=", 1) for item in args.server_env),
    }
    if args.processes > 1:
        redis = RedisServer(tmp).start()
        stack.callback(redis.stop)
        env["MESSAGE_QUEUE_URL"] = redis.url
    # Creating the facilitator also creates the schema, before any server process starts.
    subprocess.run(
        [str(WORKSHOP), "create-facilitator", EMAIL, "--password-stdin"],
        input=PASSWORD + "\n",
        env={**os.environ, **env},
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp,
    )
    servers = []
    for _ in range(args.processes):
        server = Server(database_url, tmp, env).start()
        stack.callback(server.stop)
        servers.append(server)
    urls = [s.url for s in servers]
    if args.nginx:
        ports = [s.port for s in servers]
        nginx = Nginx(tmp, (ports[0], ports[-1])).start()
        stack.callback(nginx.stop)
        urls = [nginx.url]
    return servers, urls


def start_relay(args: argparse.Namespace, tmp: Path, setup: dict[str, Any], stack: contextlib.ExitStack) -> Any:
    """Start the bare python-socketio relay; return its process and URL."""
    port = free_port()
    subjects = ",".join(f"proposal:{i}" for i in setup["proposal_ids"])
    command = [sys.executable, "-m", "benchmarks.relay", "--port", str(port), "--async-mode", args.async_mode]
    command += ["--round-id", str(setup["round_id"]), "--subjects", subjects, "--interval", str(TALLY_INTERVAL)]
    if args.relay_deflate:
        command.append("--deflate")
    log = open(tmp / "relay.log", "wb")  # noqa: SIM115 (closed with the stack)
    stack.callback(log.close)
    relay = subprocess.Popen(command, stdout=log, stderr=log)

    def stop() -> None:
        relay.terminate()
        relay.wait(timeout=10)

    stack.callback(stop)
    deadline = time.monotonic() + 20
    import requests

    while time.monotonic() < deadline:
        with contextlib.suppress(requests.ConnectionError):
            if requests.get(f"http://127.0.0.1:{port}/socket.io/?EIO=4&transport=polling", timeout=1).ok:
                return relay, f"http://127.0.0.1:{port}"
        time.sleep(0.1)
    raise RuntimeError("the relay did not start")


def benchmark(args: argparse.Namespace) -> dict[str, Any]:
    """Run the app and the baseline; return the figures."""
    with contextlib.ExitStack() as stack:
        if args.workdir:
            tmp = Path(args.workdir).resolve()
            tmp.mkdir(parents=True, exist_ok=True)
        else:
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="live-bench-")))
        servers, urls = start_servers(args, tmp, stack)
        setup = prepare(servers[0], subjects_needed(args))
        profile = Path(args.profile).resolve() if args.profile else None
        app = drive(args, tmp, urls, setup, [s.process.pid for s in servers], baseline=False, profile=profile)  # type: ignore[union-attr]
        figures: dict[str, Any] = {
            "clients": args.clients,
            "processes": args.processes,
            "async_mode": args.async_mode,
            "rate": args.rate,
            "seconds": args.seconds,
            "compress": args.compress,
            "nginx": args.nginx,
            "database": "postgresql" if "postgres" in servers[0].database_url else "sqlite",
            **summarise(app),
        }
        if not args.no_baseline:
            for server in servers:
                server.stop()  # the baseline gets the machine to itself, as the app did
            relay, url = start_relay(args, tmp, setup, stack)
            base = summarise(drive(args, tmp, [url], setup, [relay.pid], baseline=True))
            figures["baseline_tally_p95_ms"] = base["tally_p95_ms"]
            figures["baseline_tally_all_p95_ms"] = base["tally_all_p95_ms"]
            figures["baseline_ack_p95_ms"] = base["ack_p95_ms"]
            figures["baseline_cpu_s"] = base["server_cpu_s"]
            figures["baseline_peak_rss_mb"] = base["server_peak_rss_mb"]
            for key in ("tally_p95", "tally_all_p95", "ack_p95"):
                ours, theirs = figures[f"{key}_ms"], base[f"{key}_ms"]
                figures[f"ratio_{key}"] = ours / theirs if ours and theirs else None
            figures["ratio_cpu"] = figures["server_cpu_s"] / base["server_cpu_s"] if base["server_cpu_s"] else None
        return {k: _round(v) for k, v in figures.items()}


def table(f: dict[str, Any]) -> str:
    """Return the figures as a small human table."""
    rows = [
        ("phones joined", f"{f['joined']} of {f['clients']} ({f['processes']} x {f['async_mode']}, {f['database']})"),
        ("join p95", f"{f['join_p95_ms']} ms"),
        ("votes sent / acked / lost", f"{f['votes_sent']} / {f['votes_acked']} / {f['votes_lost']}"),
        ("vote ack p50 / p95 / p99", f"{f['ack_p50_ms']} / {f['ack_p95_ms']} / {f['ack_p99_ms']} ms"),
        ("tally at each phone p50 / p95 / p99", f"{f['tally_p50_ms']} / {f['tally_p95_ms']} / {f['tally_p99_ms']} ms"),
        ("tally at the last phone p95", f"{f['tally_all_p95_ms']} ms"),
        ("server CPU / peak RSS", f"{f['server_cpu_s']} s / {f['server_peak_rss_mb']} MB"),
        ("load generator lag p99", f"{f['client_lag_p99_ms']} ms (load average {f['loadavg']})"),
    ]
    if "baseline_tally_p95_ms" in f:
        rows += [
            ("relay tally p95 / ours as a ratio", f"{f['baseline_tally_p95_ms']} ms / {f['ratio_tally_p95']}"),
            ("relay ack p95 / ours as a ratio", f"{f['baseline_ack_p95_ms']} ms / {f['ratio_ack_p95']}"),
            ("relay CPU / ours as a ratio", f"{f['baseline_cpu_s']} s / {f['ratio_cpu']}"),
        ]
    if f["errors"]:
        rows.append(("errors", json.dumps(f["errors"])))
    width = max(len(r[0]) for r in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=1000, help="phones in the workshop")
    parser.add_argument("--rate", type=float, default=100, help="votes per second, all phones together")
    parser.add_argument("--seconds", type=float, default=60, help="how long they vote")
    parser.add_argument("--processes", type=int, default=1, help="server processes (more than 1: Redis + PostgreSQL)")
    parser.add_argument("--join-rate", type=float, default=20, help="phones joining per second, all together")
    parser.add_argument("--async-mode", choices=("eventlet", "gevent"), default="eventlet")
    parser.add_argument("--load-processes", type=int, default=0, help="client processes (default: 1 per 500 phones)")
    parser.add_argument("--database-url", help="an empty database to use instead of a fresh SQLite file")
    parser.add_argument("--postgres", action="store_true", help="use a throwaway PostgreSQL cluster")
    parser.add_argument("--nginx", action="store_true", help="phones connect through nginx (deploy/nginx.conf)")
    parser.add_argument("--no-compress", dest="compress", action="store_false",
                        help="phones do not offer per-message deflate (browsers do)")  # fmt: skip
    parser.add_argument("--relay-deflate", action="store_true", help="the relay accepts per-message deflate")
    parser.add_argument("--no-baseline", action="store_true", help="skip the relay run")
    parser.add_argument("--profile", help="write py-spy's raw stacks of the (first) server here while votes run")
    parser.add_argument("--server-env", action="append", default=[], help="extra NAME=value for the servers")
    parser.add_argument("--workdir", help="keep databases, logs and raw results in this folder")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if args.nginx and args.processes != 2:
        parser.error("--nginx runs deploy/nginx.conf, which names two server processes")
    args.load_processes = args.load_processes or max(1, math.ceil(args.clients / 500))
    return args


def main() -> None:
    """Run the benchmark and print the figures."""
    # Stopped from outside: unwind, so that the servers, PostgreSQL and Redis started here are stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    args = parse()
    figures = benchmark(args)
    print(json.dumps(figures) if args.json else table(figures))


if __name__ == "__main__":
    main()
