"""Queue our django-q2 tasks with the cluster and options from OSCAR_AI_CRM["TASKS"]."""

from __future__ import annotations

from typing import Any

from django_q.tasks import async_task

from .conf import crm_settings


def enqueue(task: str, *args: Any, **kwargs: Any) -> str:
    """Queue ``task`` (a dotted path in :mod:`oscar_ai_crm.tasks`); returns the task id."""
    tasks = crm_settings.TASKS
    q_options = dict(tasks["Q_OPTIONS"])
    if tasks["CLUSTER"]:
        q_options.setdefault("cluster", tasks["CLUSTER"])
    return async_task(task, *args, q_options=q_options, **kwargs)
