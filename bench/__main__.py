"""`make bench` (`python -m bench`): the in-process table, then the HTTP table.

On SQLite by default; with BENCH_DATABASE_URL (PostgreSQL) both parts run on that database, in
schemas of their own (bench/databases.py). `--json FILE` (or `-` for stdout, the tables then
going to stderr) writes every row and the run's facts, for comparing commits. Nothing here is
a test: it measures.

    python -m bench [--http-only | --in-process-only] [--seconds N] [--appointments N]
                    [--python-load] [--json FILE]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from clinic import PROJECT_ROOT

from . import in_process, over_http
from .databases import throwaway
from .dataset import APPOINTMENTS
from .load import wrk_available

DEFAULT_SECONDS = 5.0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--http-only", action="store_true", help="skip the in-process table")
    only.add_argument("--in-process-only", action="store_true", help="skip the HTTP table")
    parser.add_argument(
        "--seconds",
        type=float,
        default=DEFAULT_SECONDS,
        help=f"how long each HTTP row runs (default {DEFAULT_SECONDS:g})",
    )
    parser.add_argument(
        "--python-load",
        action="store_true",
        help="use the Python load generator even where wrk is installed",
    )
    parser.add_argument(
        "--appointments",
        type=int,
        default=APPOINTMENTS,
        help=f"appointments to load over HTTP (default {APPOINTMENTS}; fewer for a quick run)",
    )
    parser.add_argument("--json", metavar="FILE", help="write the rows as JSON (- for stdout)")
    options = parser.parse_args(argv)
    use_wrk = wrk_available() and not options.python_load
    if not use_wrk and not options.python_load and not options.in_process_only:
        print("wrk is not installed (apt-get install wrk): using Python threads", file=sys.stderr)

    report: dict = {"commit": _commit(), "started": datetime.now(UTC).isoformat(), "rows": []}
    tables = sys.stderr if options.json == "-" else sys.stdout
    with (
        tempfile.TemporaryDirectory(prefix="clinic-bench-") as name,
        contextlib.redirect_stdout(tables),
    ):
        folder = Path(name)
        if not options.http_only:
            with throwaway(folder, "in_process") as url:
                report["rows"] += in_process.run(url)
        if not options.in_process_only:
            rows, report["http"] = over_http.run(
                folder, options.seconds, use_wrk, options.appointments
            )
            report["rows"] += rows
    if options.json:
        text = json.dumps(report, indent=2)
        if options.json == "-":
            print(text)
        else:
            Path(options.json).write_text(text + "\n")


def _commit() -> str:
    """The commit measured, with "+dirty" when the work tree has changes."""
    git = ["git", "-C", str(PROJECT_ROOT)]
    try:
        commit = subprocess.run(
            [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run([*git, "status", "--porcelain"], capture_output=True, text=True)
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + ("+dirty" if dirty.stdout.strip() else "")


if __name__ == "__main__":
    main()
