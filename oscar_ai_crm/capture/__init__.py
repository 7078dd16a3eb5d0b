"""Behaviour capture: Oscar signals -> the event log."""
