"""Keep the knowledge-base index fresh: a rebuild task queued when an article changes.

Saving or deleting a ``KnowledgeArticle`` queues ``oscar_ai_crm.tasks.rebuild_support_index``
once the transaction commits. Inside :func:`suppress_index_rebuilds` nothing is queued: bulk
imports use it and rebuild once at the end. A queue that fails is logged; it never breaks
the save that triggered it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from ..conf import crm_settings
from ..models import KnowledgeArticle

logger = logging.getLogger(__name__)

REBUILD_TASK = "oscar_ai_crm.tasks.rebuild_support_index"

_suppressed: ContextVar[int] = ContextVar("oscar_ai_crm_suppress_index_rebuilds", default=0)


@contextmanager
def suppress_index_rebuilds() -> Iterator[None]:
    """Queue no index rebuild for the article changes made inside (nestable).

    The caller rebuilds once afterwards (``support.retrieval.rebuild_index()`` or the task).
    """
    token = _suppressed.set(_suppressed.get() + 1)
    try:
        yield
    finally:
        _suppressed.reset(token)


def rebuilds_suppressed() -> bool:
    """True inside :func:`suppress_index_rebuilds`."""
    return _suppressed.get() > 0


def queue_index_rebuild() -> None:
    """Queue the rebuild task now; a failure is logged, never raised.

    With a synchronous cluster (``Q_CLUSTER["sync"]``) the task runs here and its errors
    come back here too: they are logged the same way.
    """
    from ..queueing import enqueue

    try:
        enqueue(REBUILD_TASK)
    except Exception:
        logger.exception("Could not queue (or run) the knowledge-base index rebuild")


def _article_changed() -> None:
    if rebuilds_suppressed() or not crm_settings.SUPPORT["ENABLED"]:
        return
    transaction.on_commit(queue_index_rebuild)


@receiver(post_save, sender=KnowledgeArticle, dispatch_uid="oscar_ai_crm_article_saved")
def article_saved(
    sender: Any, instance: KnowledgeArticle, raw: bool = False, **kwargs: Any
) -> None:
    if not raw:  # fixtures being loaded: the index is rebuilt when asked
        _article_changed()


@receiver(post_delete, sender=KnowledgeArticle, dispatch_uid="oscar_ai_crm_article_deleted")
def article_deleted(sender: Any, instance: KnowledgeArticle, **kwargs: Any) -> None:
    _article_changed()
