"""django-q2 schedules for our periodic work, kept in step with settings."""

from __future__ import annotations

from django_q.models import Schedule

from .conf import crm_settings

#: Schedule name -> (task, setting that holds its cron string).
SCHEDULES = {
    "oscar_ai_crm: train recommendations": (
        "oscar_ai_crm.tasks.train_recommendations",
        lambda: crm_settings.RECOMMENDATIONS["SCHEDULE"],
    ),
    "oscar_ai_crm: segment customers": (
        "oscar_ai_crm.tasks.segment_customers",
        lambda: crm_settings.SEGMENTS["SCHEDULE"],
    ),
}


def ensure_schedules() -> dict[str, str]:
    """Create, update or delete our ``Schedule`` rows by name; returns what was done."""
    done: dict[str, str] = {}
    for name, (task, cron_setting) in SCHEDULES.items():
        cron = cron_setting()
        if not cron:
            deleted, _ = Schedule.objects.filter(name=name).delete()
            done[name] = "removed" if deleted else "off"
            continue
        cluster = crm_settings.TASKS["CLUSTER"]
        _, created = Schedule.objects.update_or_create(
            name=name,
            defaults={
                "func": task,
                "kwargs": {"trigger": "schedule"},
                "schedule_type": Schedule.CRON,
                "cron": cron,
                "cluster": cluster,
            },
        )
        done[name] = f"{'created' if created else 'updated'} ({cron})"
    return done
