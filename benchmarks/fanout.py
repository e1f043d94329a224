"""One change at a time to N phones: how long an item edit, and a tally update, take to reach each phone.

The peer figures of issue 8 are for this shape: Etherpad delivers one edit to 400 phones at p50 40 ms / p95
67 ms, a bare python-socketio relay of the same message at 18 / 31 ms. Here the facilitator edits an item's
wording every --interval seconds (each edit a new draft version, broadcast as a numbered ``version`` event),
then a phone casts one vote every --interval seconds (the tally goes out at once after a quiet spell), and every
phone logs when each arrives. Then the same phones against benchmarks/relay.py, which rebroadcasts a message of
the same size as our ``version`` event at once and sends its tally on the same schedule.

Run: python -m benchmarks.fanout [--clients 400] [--changes 40] [--interval 0.5] [--async-mode eventlet] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import socketio

from benchmarks.live import EMAIL, PASSWORD, RATES, Watch, prepare, start_relay
from benchmarks.liveload import Load
from benchmarks.livestats import percentile
from tests.live.harness import WORKSHOP, Facilitator, Server


def _ms(values: list[float]) -> dict[str, float | None]:
    return {
        q: (round(v, 1) if (v := percentile(values, n)) is not None else None) for q, n in (("p50", 50), ("p95", 95))
    }


async def run_phones(
    args: argparse.Namespace, url: str, setup: dict[str, Any], editor: Any, pid: int
) -> dict[str, Any]:
    """Connect the phones, send the edits and the votes one at a time, and return the latencies."""
    subjects = [f"proposal:{i}" for i in setup["proposal_ids"]]
    plan = {
        "index": 0,
        "clients": args.clients,
        "urls": [url],
        "code": setup["code"],
        "round_id": setup["round_id"],
        "groups": [subjects],
        "join_rate": args.join_rate,
        "compress": True,
        "baseline": editor is None,
    }
    load = Load(plan)
    await load.join_all()
    phones = [p for p in load.phones if p.sio is not None]
    watch = Watch([pid])
    cpu_before = watch.cpu()
    sent: dict[int, float] = {}
    if editor is None:  # the relay: a message the size of our version event, rebroadcast at once
        message = json.loads(Path(args.sample).read_text())
        for n in range(1, args.changes + 1):
            message["data"]["number"] = n
            sent[n] = time.monotonic()
            await phones[0].sio.call("relay", message, timeout=30)
            await asyncio.sleep(args.interval)
    else:
        version = setup["version"]
        for n in range(args.changes):
            body = {"op_id": uuid.uuid4().hex, "item_id": setup["item_id"], "base_version": version}
            started = time.monotonic()
            reply = await editor.call("item.edit", {**body, "set": {"stem": f"Edited wording, take {n + 1}."}})
            assert reply["ok"], reply
            version = reply["version"]
            sent[version] = started
            await asyncio.sleep(args.interval)
    edit_cpu = watch.cpu() - cpu_before
    await asyncio.sleep(1)
    edit_ms = [(p.versions[v] - t) * 1000 for p in phones for v, t in sent.items() if v in p.versions]
    unseen = sum(1 for p in phones for v in sent if v not in p.versions)

    votes: list[float] = []
    cpu_before = watch.cpu()
    for k in range(1, args.changes + 1):
        voter = phones[k % len(phones)]
        vote = {"op_id": uuid.uuid4().hex, "round_id": setup["round_id"], "subject": subjects[0], "value": "agree"}
        votes.append(time.monotonic())
        assert (await voter.sio.call("vote.cast", vote, timeout=30))["ok"]
        await asyncio.sleep(args.interval)
    vote_cpu = watch.cpu() - cpu_before
    await asyncio.sleep(1)
    tally_ms = []
    for phone in phones:
        for k, at in enumerate(votes, start=1):
            seen = next((row[0] for row in phone.tallies if row[1] >= k), None)
            if seen is not None:
                tally_ms.append((seen - at) * 1000)
    watch.stop()
    if editor is not None:  # keep one version event: the relay sends a message of its size
        Path(args.sample).write_text(json.dumps(phones[0].sample))
    await load.close()
    return {
        "phones": len(phones),
        "edit_ms": _ms(edit_ms),
        "edit_unseen": unseen,
        "edit_cpu_ms": round(edit_cpu * 1000 / args.changes, 1),
        "tally_ms": _ms(tally_ms),
        "vote_cpu_ms": round(vote_cpu * 1000 / args.changes, 1),
    }


def main() -> None:
    """Run the app and the relay and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=400)
    parser.add_argument("--changes", type=int, default=40, help="edits, then votes, one at a time")
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between changes")
    parser.add_argument("--join-rate", type=float, default=50)
    parser.add_argument("--async-mode", choices=("eventlet", "gevent"), default="eventlet")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fanout-") as folder, contextlib.ExitStack() as stack:
        tmp = Path(folder)
        args.sample = str(tmp / "version-event.json")
        env = {"WORKSHOP_ASYNC_MODE": args.async_mode, "WORKSHOP_RATE_LIMITS": RATES, "SECRET_KEY": "fanout"}
        database = f"sqlite:///{tmp / 'fanout.db'}"
        subprocess.run(
            [str(WORKSHOP), "create-facilitator", EMAIL, "--password-stdin"],
            input=PASSWORD + "\n",
            env={**os.environ, **env, "DATABASE_URL": database},
            check=True,
            capture_output=True,
            text=True,
        )
        server = Server(database, tmp, env).start()
        stack.callback(server.stop)
        setup = prepare(server, 2)
        facilitator = Facilitator(server, EMAIL, PASSWORD)

        async def ours() -> dict[str, Any]:
            editor = socketio.AsyncClient(reconnection=False, handle_sigint=False)
            await editor.connect(
                server.url,
                auth={"workshop_id": setup["workshop_id"]},
                headers={"Cookie": facilitator.cookie_header()},
                transports=["websocket"],
            )
            state = (await editor.call("sync", {}))["snapshot"]
            setup["version"] = state["version"]["number"]
            setup["item_id"] = state["draft"]["domains"][0]["topics"][0]["items"][0]["id"]
            try:
                return await run_phones(args, server.url, setup, editor, server.process.pid)  # type: ignore[union-attr]
            finally:
                await editor.disconnect()

        app = asyncio.run(ours())
        server.stop()
        relay, url = start_relay(argparse.Namespace(async_mode=args.async_mode, relay_deflate=False), tmp, setup, stack)
        base = asyncio.run(run_phones(args, url, setup, None, relay.pid))
    figures = {
        "clients": args.clients,
        "async_mode": args.async_mode,
        "edit_p50_ms": app["edit_ms"]["p50"],
        "edit_p95_ms": app["edit_ms"]["p95"],
        "edit_unseen": app["edit_unseen"],
        "server_cpu_per_edit_ms": app["edit_cpu_ms"],
        "tally_p50_ms": app["tally_ms"]["p50"],
        "tally_p95_ms": app["tally_ms"]["p95"],
        "server_cpu_per_vote_ms": app["vote_cpu_ms"],
        "relay_p50_ms": base["edit_ms"]["p50"],
        "relay_p95_ms": base["edit_ms"]["p95"],
        "relay_cpu_per_message_ms": base["edit_cpu_ms"],
        "relay_tally_p95_ms": base["tally_ms"]["p95"],
    }
    for ours_key, theirs_key in (("edit_p95_ms", "relay_p95_ms"), ("tally_p95_ms", "relay_tally_p95_ms")):
        ours_value, theirs = figures[ours_key], figures[theirs_key]
        figures[f"ratio_{ours_key[:-3]}"] = round(ours_value / theirs, 2) if ours_value and theirs else None
    print(json.dumps(figures) if args.json else "\n".join(f"{k:<26} {v}" for k, v in figures.items()))


if __name__ == "__main__":
    main()
