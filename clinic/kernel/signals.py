"""What happened, for whoever wants to know (the appointment emails, the response cache).

`clinic_changed` is sent once per unit of work, after it has been committed (never for one
rolled back), with `changes`: the list of `Change`s it made, in order. A receiver's failure
never undoes the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from blinker import Namespace

_signals = Namespace()
clinic_changed = _signals.signal("clinic-changed")


@dataclass(frozen=True, slots=True)
class Change:
    """One change of a unit: the table, the row's id, the action ("create", "cancel", ...) and
    the row itself; or an email the unit asked for once it commits (`accounts.emails`)."""

    entity: str
    entity_id: int | None
    action: str
    row: Any
