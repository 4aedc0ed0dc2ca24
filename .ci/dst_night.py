"""Print the instant five minutes into the hour a time zone's clocks next repeat (the night they
go back), as pytest's --clock-at takes it: `python .ci/dst_night.py Europe/Kyiv`."""

import sys
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

zone = ZoneInfo(sys.argv[1])
hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
for _ in range(2 * 366 * 24):
    following = hour + timedelta(hours=1)
    if hour.astimezone(zone).utcoffset() > following.astimezone(zone).utcoffset():
        print((following + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ"))
        break
    hour = following
else:
    sys.exit(f"{zone} does not put its clocks back in the next two years")
