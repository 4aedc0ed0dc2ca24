"""Serving an app with gunicorn for the bench: 2 workers, `--no-control-socket`, on a free
port of 127.0.0.1, and reading its workers' peak memory afterwards.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time as clock
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from clinic import PROJECT_ROOT

WORKERS = 2
READY_SECONDS = 60


@dataclass
class Server:
    """A running gunicorn: where it listens and its master's process id."""

    host: str
    port: int
    pid: int
    log: Path

    def workers(self) -> list[int]:
        """The worker processes' ids (the master's children)."""
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split()
        return [int(child) for child in children]

    def peak_memory_mb(self) -> float:
        """The largest peak resident size (VmHWM) of a worker so far, in MB."""
        peaks = [0.0]
        for worker in self.workers():
            try:
                status = Path(f"/proc/{worker}/status").read_text()
            except FileNotFoundError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        return max(peaks)


def free_port() -> int:
    """A TCP port of 127.0.0.1 nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(
    app: str, environ: Mapping[str, str], log: Path, ready_path: str = "/"
) -> Iterator[Server]:
    """Serve `app` (a gunicorn app spec such as "bench.apps:floor()") until the block ends.
    Its output goes to `log`; it is ready once `ready_path` answers 200."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(WORKERS),
        "--bind",
        f"127.0.0.1:{port}",
        "--no-control-socket",
        app,
    ]
    environment = {**environ, "WEB_CONCURRENCY": str(WORKERS)}
    with log.open("ab") as output:
        process = subprocess.Popen(
            command, env=environment, cwd=PROJECT_ROOT, stdout=output, stderr=output
        )
    server = Server("127.0.0.1", port, process.pid, log)
    try:
        _wait_until_ready(server, process, ready_path, log)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_ready(server: Server, process: subprocess.Popen, path: str, log: Path) -> None:
    deadline = clock.monotonic() + READY_SECONDS
    while clock.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped (exit {process.returncode}); see {log}")
        try:
            connection = http.client.HTTPConnection(server.host, server.port, timeout=5)
            connection.request("GET", path)
            if connection.getresponse().status == 200 and len(server.workers()) == WORKERS:
                connection.close()
                return
            connection.close()
        except OSError:
            pass
        clock.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer {path} within {READY_SECONDS} s; see {log}")


def inherited_environment() -> dict[str, str]:
    """This process's environment without what would point the served app elsewhere."""
    dropped = ("DATABASE_URL", "MAIL_SERVER", "MAIL_BACKEND", "INSTANCE_PATH", "SECRET_KEY")
    return {name: value for name, value in os.environ.items() if name not in dropped}
