"""What the clinic tells patients: appointment emails with their calendar files, and
reminders (appointments)."""

from .appointments import calendar_file, init_app, quiet, send_about, send_reminders

__all__ = ["calendar_file", "init_app", "quiet", "send_about", "send_reminders"]
