"""Recommenders: models with one small, batched interface (see :mod:`.base`)."""
