"""Concrete models of oscar_ai_crm, one module per domain."""

from .events import Event, EventKind, EventSource
from .profiles import CustomerProfile

__all__ = ["CustomerProfile", "Event", "EventKind", "EventSource"]
