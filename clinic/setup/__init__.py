"""The clinic's setup: specialists, locations, clients, staff and settings, each module saving
and removing its thing in one audited unit of work (the admin pages, the API and the command
line share them). Refusals are the booking rules' `Invalid`, `Conflict` and `NotFound`."""

from .clients import removal_refusal, remove_client, save_client, save_own_details
from .common import Removal
from .locations import remove_location, save_location
from .settings import save_settings
from .specialists import default_location_choices, remove_specialist, save_specialist
from .staff import (
    create_user,
    remove_staff_user,
    send_password_reset,
    set_temporary_password,
    staff_account,
    update_staff_user,
)

__all__ = [
    "Removal",
    "create_user",
    "default_location_choices",
    "removal_refusal",
    "remove_client",
    "remove_location",
    "remove_specialist",
    "remove_staff_user",
    "save_client",
    "save_location",
    "save_own_details",
    "save_settings",
    "save_specialist",
    "send_password_reset",
    "set_temporary_password",
    "staff_account",
    "update_staff_user",
]
