"""The bookings made while measuring: each in a free slot of its own, so that every one can
succeed. A booking row is given its own run of free working days after the dataset's; the n-th
booking of a row is made the same way in Python (`body`) and in wrk's Lua (`lua`), which makes
each request's body itself.
"""

from __future__ import annotations

import json

from . import dataset as data

DAYS = 400
"""Free working days for each booking row (far more than a row can fill)."""


def body(dataset: data.Dataset, days: list[str], n: int) -> dict:
    """The n-th booking of a row: specialist by specialist, then slot by slot, then day by day,
    so that bookings made at once are at different times or with different specialists; the
    client is the n-th modulo their number, different for the specialists of one slot."""
    specialists, clients = dataset.specialists, dataset.clients
    rest = n // len(specialists)
    return {
        "worker": specialists[n % len(specialists)],
        "client": clients[n % len(clients)],
        "date": days[rest // data.SLOTS_A_DAY],
        "start_time": data.slot_time(rest % data.SLOTS_A_DAY),
        "type": "Check-up",
    }


BOOKING_LUA = """
local days = {%(days)s}
local specialists = {%(specialists)s}
local clients = {%(clients)s}
request = function()
  local n = id + nthreads * counter
  counter = counter + 1
  local rest = math.floor(n / #specialists)
  local minutes = %(opening)d + (rest %% %(slots)d) * %(length)d
  local body = string.format(
    '{"worker": %%d, "client": %%d, "date": "%%s", "start_time": "%%02d:%%02d", '
    .. '"type": "Check-up"}',
    specialists[n %% #specialists + 1], clients[n %% #clients + 1],
    days[math.floor(rest / %(slots)d) + 1], math.floor(minutes / 60), minutes %% 60)
  return wrk.format(nil, nil, nil, body)
end
"""
"""The Lua twin of `body` (wrk makes each request's body)."""


def lua(dataset: data.Dataset, days: list[str]) -> str:
    return BOOKING_LUA % {
        "days": ", ".join(json.dumps(day) for day in days),
        "specialists": ", ".join(map(str, dataset.specialists)),
        "clients": ", ".join(map(str, dataset.clients)),
        "opening": data.OPENING_HOUR * 60,
        "slots": data.SLOTS_A_DAY,
        "length": data.SLOT_MINUTES,
    }


def free_days(dataset: data.Dataset, first: int) -> list[str]:
    """DAYS working days after the dataset's, from the `first`-th on (0 is the first)."""
    return [day.isoformat() for day in dataset.later_working_days(first, DAYS)]
