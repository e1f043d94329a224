"""The participant page on a throttled phone: bytes transferred (compressed) and time until usable.

Run: python -m benchmarks.phone_budget [--latency 400] [--down-kbps 400] [--up-kbps 400]

A real server and Debian's Chromium (/usr/bin/chromium) at 390x844, with the network throttled through the
DevTools protocol (Network.emulateNetworkConditions; default: 400 ms latency, 50 KB/s down, 50 KB/s up, the
"slow 3G" shape). Three loads are measured: the join page opened from the QR code (cold cache), joining and
reaching the live page, and coming back after a reload (warm cache, as after a screen lock).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from tests.browser.conftest import ARGS, CHROMIUM, PHONE
from tests.live.harness import Facilitator, Server


class Meter:
    """Counts what the page transfers, from the DevTools protocol's network events."""

    def __init__(self, cdp: Any) -> None:
        self.http = 0
        self.requests = 0
        self.ws_frames = 0
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.webSocketFrameReceived", self._frame)
        cdp.on("Network.webSocketFrameSent", self._frame)

    def _finished(self, event: dict[str, Any]) -> None:
        self.http += int(event.get("encodedDataLength", 0))
        self.requests += 1

    def _frame(self, event: dict[str, Any]) -> None:
        self.ws_frames += len(event["response"]["payloadData"])

    def take(self) -> tuple[int, int, int]:
        """Return (HTTP bytes, requests, WebSocket payload bytes) since the last call, and reset."""
        figures = (self.http, self.requests, self.ws_frames)
        self.http = self.requests = self.ws_frames = 0
        return figures


def _row(label: str, seconds: float, figures: tuple[int, int, int]) -> str:
    http, requests, ws = figures
    sizes = f"{http / 1024:6.1f} KB in {requests:2d} requests  (+{ws / 1024:.1f} KB WebSocket payload, before deflate)"
    return f"{label:<44} {seconds:6.2f} s  {sizes}"


def main() -> None:
    """Measure the three loads and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--latency", type=float, default=400, help="added round-trip latency, ms")
    parser.add_argument("--down-kbps", type=float, default=400, help="download, kilobits per second")
    parser.add_argument("--up-kbps", type=float, default=400, help="upload, kilobits per second")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        server = Server(f"sqlite:///{Path(folder) / 'budget.db'}", Path(folder)).start()
        try:
            code = Facilitator(server, "bench@example.org", setup=True).new_workshop()["code"]
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
                page = browser.new_context(**PHONE).new_page()
                cdp = page.context.new_cdp_session(page)
                cdp.send("Network.enable")
                cdp.send(
                    "Network.emulateNetworkConditions",
                    {
                        "offline": False,
                        "latency": args.latency,
                        "downloadThroughput": args.down_kbps * 1000 / 8,
                        "uploadThroughput": args.up_kbps * 1000 / 8,
                    },
                )
                meter = Meter(cdp)
                print(
                    f"Profile: {args.latency:.0f} ms latency, {args.down_kbps / 8:.0f} KB/s down, "
                    f"{args.up_kbps / 8:.0f} KB/s up; 390x844 phone, Chromium {browser.version}"
                )
                start = time.perf_counter()
                page.goto(f"{server.url}/join/{code}", wait_until="commit")
                page.wait_for_selector("main[data-ready]", state="attached")
                ready = time.perf_counter() - start
                page.wait_for_selector("#details-step:not([hidden])")
                usable = time.perf_counter() - start
                page.wait_for_load_state("networkidle")
                first = meter.take()
                print(_row("Join page from the QR code: script ready", ready, first))
                print(f"{'  ... and the name/group form shown':<44} {usable:6.2f} s")

                page.get_by_label("I have read how my input is used").check()
                start = time.perf_counter()
                page.get_by_role("button", name="Join").click()
                page.wait_for_selector("#conn[data-state='connected']")
                page.wait_for_selector("#draft li", state="attached")
                print(_row("Joining until the live draft shows", time.perf_counter() - start, meter.take()))

                start = time.perf_counter()
                page.reload(wait_until="commit")
                page.wait_for_selector("#conn[data-state='connected']")
                page.wait_for_selector("#draft li", state="attached")
                print(_row("Back after a reload (cached), live again", time.perf_counter() - start, meter.take()))
                total = first[0]
                print(f"First load total: {total / 1024:.1f} KB (budget 60 KB)")
                browser.close()
        finally:
            server.stop()


if __name__ == "__main__":
    main()
