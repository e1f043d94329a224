"""Throwaway Redis and nginx processes on free loopback ports, for the scale-out test and the live benchmark."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: The nginx site configuration that docs/deploy.md describes; it names two backends on these ports.
NGINX_SITE = ROOT / "deploy" / "nginx.conf"
SITE_LISTEN = "listen 127.0.0.1:8080;"
SITE_BACKENDS = ("127.0.0.1:5001", "127.0.0.1:5002")


def free_port() -> int:
    """Return a free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def find_binary(name: str) -> str | None:
    """Return the path of a server binary (also looking in the sbin folders that are not on every PATH)."""
    found = shutil.which(name)
    if found:
        return found
    for folder in ("/usr/sbin", "/usr/local/sbin", "/sbin"):
        path = Path(folder) / name
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    return None


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited: {log.read_text(errors='replace')}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    raise RuntimeError(f"{process.args[0]} did not listen on {port} within {timeout} s")


class RedisServer:
    """`redis-server` without persistence on a free loopback port."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> RedisServer:
        """Start the server and wait until it accepts connections."""
        binary = find_binary("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed (Debian package redis-server)")
        log = self.workdir / f"redis-{self.port}.log"
        args = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        args += ["--dir", str(self.workdir), "--logfile", str(log), "--maxclients", "10000"]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        _wait_for_port(self.port, self.process, log)
        return self

    def stop(self) -> None:
        """Stop the server."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


class Nginx:
    """nginx running deploy/nginx.conf in front of two backends, listening on a free loopback port."""

    def __init__(self, workdir: Path, backends: tuple[int, int]) -> None:
        self.dir = workdir / "nginx"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.backends = backends
        self.process: subprocess.Popen[bytes] | None = None

    def site(self) -> str:
        """Return deploy/nginx.conf with this run's listen port and backend addresses."""
        text = NGINX_SITE.read_text()
        assert SITE_LISTEN in text and all(b in text for b in SITE_BACKENDS), "deploy/nginx.conf changed shape"
        text = text.replace(SITE_LISTEN, f"listen 127.0.0.1:{self.port};")
        for placeholder, port in zip(SITE_BACKENDS, self.backends, strict=True):
            text = text.replace(placeholder, f"127.0.0.1:{port}")
        return text

    def start(self) -> Nginx:
        """Write the configuration, start nginx in the foreground and wait until it listens."""
        binary = find_binary("nginx")
        if binary is None:
            raise RuntimeError("nginx is not installed (Debian package nginx or nginx-light)")
        self.dir.mkdir(parents=True, exist_ok=True)
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (self.dir / sub).mkdir(exist_ok=True)
            (self.dir / sub).chmod(0o777)  # workers drop to an unprivileged user when started as root
        (self.dir / "workshop.conf").write_text(self.site())
        temp = " ".join(
            f"{kind}_temp_path {self.dir / sub};"
            for kind, sub in (
                ("client_body", "body"),
                ("proxy", "proxy"),
                ("fastcgi", "fastcgi"),
                ("uwsgi", "uwsgi"),
                ("scgi", "scgi"),
            )
        )
        (self.dir / "nginx.conf").write_text(
            f"daemon off;\nworker_processes 1;\nworker_rlimit_nofile 20000;\npid {self.dir / 'nginx.pid'};\n"
            f"error_log {self.dir / 'error.log'} warn;\nevents {{ worker_connections 10000; }}\n"
            f"http {{ access_log off; {temp} include {self.dir / 'workshop.conf'}; }}\n"
        )
        self._stderr = open(self.dir / "stderr.log", "wb")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [binary, "-c", str(self.dir / "nginx.conf"), "-p", str(self.dir)],
            stdout=subprocess.DEVNULL,
            stderr=self._stderr,
        )
        _wait_for_port(self.port, self.process, self.dir / "error.log")
        return self

    def stop(self) -> None:
        """Stop nginx (its workers follow the master)."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        if self.process:
            self._stderr.close()
