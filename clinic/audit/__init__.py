"""The audit log: recording every change with who made it (records), and reading entries
back for the admin's log and an appointment's history (log)."""

from .records import changes, history, record, snapshot

__all__ = ["changes", "history", "record", "snapshot"]
