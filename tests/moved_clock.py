"""`python tests/moved_clock.py MODULE ARGS...`: run a module (gunicorn) as `python -m` would,
its clock starting at $TEST_CLOCK_AT and ticking on, so that a server a test starts during a
`pytest --clock-at` run lives at the same moment as the test. Workers forked from it keep the
moved clock."""

from __future__ import annotations

import os
import runpy
import sys
from datetime import datetime

import time_machine

if __name__ == "__main__":
    module, sys.argv = sys.argv[1], sys.argv[1:]
    sys.path.insert(0, os.getcwd())
    with time_machine.travel(datetime.fromisoformat(os.environ["TEST_CLOCK_AT"]), tick=True):
        runpy.run_module(module, run_name="__main__", alter_sys=True)
