"""`python tests/moved_clock.py MODULE ARGS...`: run a module (gunicorn) as `python -m` would,
its clock starting at $TEST_CLOCK_AT (plus the real seconds since $TEST_CLOCK_LAUNCHED_AT, what
its own start took) and ticking on, so that a server a test starts during a `pytest --clock-at`
run lives at the same moment as the test. Workers forked from it keep the
moved clock."""

from __future__ import annotations

import os
import runpy
import sys
import time
from datetime import datetime, timedelta

import time_machine

if __name__ == "__main__":
    module, sys.argv = sys.argv[1], sys.argv[1:]
    sys.path.insert(0, os.getcwd())
    started = time.time() - float(os.environ.get("TEST_CLOCK_LAUNCHED_AT") or time.time())
    moment = datetime.fromisoformat(os.environ["TEST_CLOCK_AT"]) + timedelta(seconds=started)
    with time_machine.travel(moment, tick=True):
        runpy.run_module(module, run_name="__main__", alter_sys=True)
