"""Load generators: wrk (Debian's package) when it is installed, else threads of Python with
one keep-alive connection each; and the measurement both report.

wrk runs with 2 threads (2 cores) and a Lua script made here: it sets the request, may make
each request's body (distinct free slots for bookings), counts the answers' statuses where
asked, and prints its summary as one line of JSON. Note that wrk itself counts only answers of
400 and up as errors; the bench checks every row's request answers 2xx before it starts.

The Python generator runs a scenario per connection: an endless series of steps, of which
only the `timed` ones are measured (the others, such as the change before an uncached read,
are counted but not timed).
"""

from __future__ import annotations

import http.client
import json
import shutil
import statistics
import subprocess
import tempfile
import threading
import time as clock
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

CONNECTIONS = 8
WRK_THREADS = 2
TIMEOUT_SECONDS = 30


@dataclass
class Measured:
    """What a load run saw: requests, time, latencies, and the answers that were not 2xx."""

    requests: int
    seconds: float
    mean_ms: float
    p99_ms: float
    rps: float
    non_2xx: Counter = field(default_factory=Counter)
    socket_errors: int = 0

    @property
    def failed(self) -> int:
        return sum(self.non_2xx.values()) + self.socket_errors


@dataclass
class Step:
    """One request of a Python scenario."""

    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    timed: bool = True


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def _lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string is a valid Lua string literal for ASCII text


SUMMARY = """
local threads = {}
setup = function(thread)
  thread:set("id", #threads)
  thread:set("nthreads", %(threads)d)
  table.insert(threads, thread)
end
init = function(args)
  counter = 0
  statuses = {}
end
done = function(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    local counts = thread:get("statuses") or {}
    for status, n in pairs(counts) do merged[status] = (merged[status] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(merged) do table.insert(parts, string.format('"%%d": %%d', status, n)) end
  local errors = summary.errors
  io.write(string.format(
    '\\nBENCH {"requests": %%d, "duration_us": %%d, "status_errors": %%d, "socket_errors": %%d, '
    .. '"mean_us": %%f, "p99_us": %%f, "statuses": {%%s}}\\n',
    summary.requests, summary.duration, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency.mean, latency:percentile(99), table.concat(parts, ", ")))
end
"""

COUNT_STATUSES = """
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
"""


def wrk(
    url: str,
    seconds: float,
    connections: int = CONNECTIONS,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    request_lua: str = "",
) -> Measured:
    """Run wrk against `url`. `request_lua`, when given, defines `request()` (each thread has
    globals `id` 0.., `nthreads` and `counter`); then every answer's status is counted too."""
    threads = min(WRK_THREADS, connections)
    lines = [SUMMARY % {"threads": threads}, f"wrk.method = {_lua_string(method)}"]
    for name, value in (headers or {}).items():
        lines.append(f"wrk.headers[{_lua_string(name)}] = {_lua_string(value)}")
    if request_lua:
        lines += [request_lua, COUNT_STATUSES]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write("\n".join(lines))
    try:
        finished = subprocess.run(
            [
                "wrk",
                "--threads",
                str(threads),
                "--connections",
                str(connections),
                "--duration",
                f"{max(1, round(seconds))}s",
                "--timeout",
                f"{TIMEOUT_SECONDS}s",
                "--script",
                script.name,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        Path(script.name).unlink()
    summary = json.loads(finished.stdout.rsplit("BENCH ", 1)[1])
    duration = summary["duration_us"] / 1e6
    statuses = Counter({int(code): n for code, n in summary["statuses"].items()})
    non_2xx = Counter({code: n for code, n in statuses.items() if not 200 <= code < 300})
    if not request_lua and summary["status_errors"]:
        non_2xx["4xx/5xx"] = summary["status_errors"]
    return Measured(
        requests=summary["requests"],
        seconds=duration,
        mean_ms=summary["mean_us"] / 1000,
        p99_ms=summary["p99_us"] / 1000,
        rps=summary["requests"] / duration,
        non_2xx=non_2xx,
        socket_errors=summary["socket_errors"],
    )


def python_load(
    host: str,
    port: int,
    scenario: Callable[[int], Iterator[Step]],
    seconds: float,
    connections: int = CONNECTIONS,
) -> Measured:
    """Run `scenario(n)` on each of `connections` threads for `seconds`.

    When every step is timed, req/s is the timed requests over the wall time. When some are
    not (a change before each read), it is the reads' rate as if the connections did nothing
    else: connections / mean latency of the timed requests (Little's law)."""
    latencies: list[float] = []
    statuses: Counter = Counter()
    errors = [0]
    untimed = [0]
    lock = threading.Lock()
    deadline = clock.monotonic() + seconds

    def run(n: int) -> None:
        connection = http.client.HTTPConnection(host, port, timeout=TIMEOUT_SECONDS)
        mine: list[float] = []
        seen: Counter = Counter()
        skipped = failed = 0
        for step in scenario(n):
            if clock.monotonic() >= deadline:
                break
            started = clock.perf_counter()
            try:
                connection.request(step.method, step.path, body=step.body, headers=step.headers)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                failed += 1
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=TIMEOUT_SECONDS)
                continue
            elapsed = clock.perf_counter() - started
            seen[response.status] += 1
            if step.timed:
                mine.append(elapsed)
            else:
                skipped += 1
        connection.close()
        with lock:
            latencies.extend(mine)
            statuses.update(seen)
            errors[0] += failed
            untimed[0] += skipped

    started = clock.perf_counter()
    threads = [threading.Thread(target=run, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = clock.perf_counter() - started
    latencies.sort()
    mean = statistics.fmean(latencies) if latencies else float("nan")
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else mean
    rps = len(latencies) / wall if not untimed[0] else connections / mean
    return Measured(
        requests=len(latencies),
        seconds=wall,
        mean_ms=mean * 1000,
        p99_ms=p99 * 1000,
        rps=rps,
        non_2xx=Counter({code: n for code, n in statuses.items() if not 200 <= code < 300}),
        socket_errors=errors[0],
    )


def repeat(step: Step) -> Callable[[int], Iterator[Step]]:
    """A scenario sending the same request over and over (the fallback for wrk)."""

    def scenario(_n: int) -> Iterator[Step]:
        while True:
            yield step

    return scenario
