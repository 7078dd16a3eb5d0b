"""The review step shared by generated-text admins (description drafts, marketing copy)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest

from .content.publishing import TransitionError


def apply_to_each(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    items: Iterable[Any],
    step: Callable[[Any], Any],
    done_message: str,
) -> None:
    """Run ``step`` on every item; report how many moved and why the others could not."""
    done, refused = 0, []
    for item in items:
        try:
            step(item)
            done += 1
        except TransitionError as error:
            refused.append(str(error))
    if done:
        modeladmin.message_user(request, done_message % {"n": done}, messages.SUCCESS)
    for reason in refused:
        modeladmin.message_user(request, reason, messages.WARNING)
