"""The booking rules, and the only place they live.

What is free (slots), what may be booked, moved, cancelled or moved to another status, who may
do which (the policy of an actor), when shifts and time off may change, and the reads of the
clinic's bookings. Plain functions over the session and plain values: views and API resources
parse input, call these, and render the result or the refusal (`Invalid` → 400 or form errors,
`NotAllowed` → 403, `NotFound` → 404, `Conflict` → 409). Every change is one unit of work
(`database.writing`), all or nothing, also inside a larger unit.

This module re-exports what views, the API and the setup use; the modules are by subject.
"""

from ..models import AppointmentStatus as Status
from .agenda import (
    ALL,
    ClientCard,
    appointment_history,
    appointments_between,
    appointments_query,
    client_card,
    clients_query,
    day_appointments,
    own_client,
    own_client_id,
    possible_duplicates,
    seen_appointment,
    status_counts,
    upcoming_appointments,
    visit_type_suggestions,
    with_people,
)
from .appointments import (
    book_appointment,
    cancel_appointment,
    change_status,
    reschedule_appointment,
    update_appointment,
)
from .calendar import Span, working_spans
from .coverage import unplaced_by_specialist, unplaced_hours
from .day_plan import Column, DayPlan, day_plan
from .directory import (
    SPECIALIST_SCHEDULE,
    active_specialists,
    counted,
    every_location,
    every_shift,
    find_specialists,
    public_locations,
    public_specialist,
    seen_location,
    seen_locations,
    seen_specialist,
    seen_specialists,
    shift_workers,
    specialties,
)
from .locks import hold_for_change
from .policy import ANONYMOUS, SYSTEM, TRANSITIONS, Actor, Policy, acting, policy_for
from .previews import preview_booking, preview_move
from .shifts import create_shift, read_shift, remove_shift, set_shifts, update_shift
from .slots import (
    MAX_RANGE_DAYS,
    free_slots,
    free_slots_by_specialist,
    free_slots_range,
    nearest_free,
    next_free_slot,
    next_free_slots,
)
from .time_off import (
    Covered,
    TimeOffSaved,
    flagged,
    remove_time_off,
    save_time_off,
    time_off_query,
)
from .week import DayState, Week, specialist_week

__all__ = [
    "ALL",
    "ANONYMOUS",
    "MAX_RANGE_DAYS",
    "SPECIALIST_SCHEDULE",
    "SYSTEM",
    "TRANSITIONS",
    "Actor",
    "ClientCard",
    "Column",
    "Covered",
    "DayPlan",
    "DayState",
    "Policy",
    "Span",
    "Status",
    "TimeOffSaved",
    "Week",
    "acting",
    "active_specialists",
    "appointment_history",
    "appointments_between",
    "appointments_query",
    "book_appointment",
    "cancel_appointment",
    "change_status",
    "client_card",
    "clients_query",
    "counted",
    "create_shift",
    "day_appointments",
    "day_plan",
    "every_location",
    "every_shift",
    "find_specialists",
    "flagged",
    "free_slots",
    "free_slots_by_specialist",
    "free_slots_range",
    "hold_for_change",
    "nearest_free",
    "next_free_slot",
    "next_free_slots",
    "own_client",
    "own_client_id",
    "policy_for",
    "possible_duplicates",
    "preview_booking",
    "preview_move",
    "public_locations",
    "public_specialist",
    "read_shift",
    "remove_shift",
    "remove_time_off",
    "reschedule_appointment",
    "save_time_off",
    "seen_appointment",
    "seen_location",
    "seen_locations",
    "seen_specialist",
    "seen_specialists",
    "set_shifts",
    "shift_workers",
    "specialist_week",
    "specialties",
    "status_counts",
    "time_off_query",
    "unplaced_by_specialist",
    "unplaced_hours",
    "upcoming_appointments",
    "update_appointment",
    "update_shift",
    "visit_type_suggestions",
    "with_people",
    "working_spans",
]
