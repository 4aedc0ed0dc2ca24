"""What happened, for whoever wants to know (emails, later perhaps webhooks).

`appointment_changed` is sent after the change has been committed, with the appointment and
`change` = "booked", "moved" or "cancelled"; a receiver's failure never undoes the change.
"""

from blinker import Namespace

_signals = Namespace()
appointment_changed = _signals.signal("appointment-changed")
