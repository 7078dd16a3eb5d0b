"""crm_schedules writes django-q2 cron schedules for training and segmentation from settings."""

import ast
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django_q.models import Schedule

from oscar_ai_crm.schedules import ensure_schedules

pytestmark = pytest.mark.django_db

TRAIN = "oscar_ai_crm: train recommendations"
SEGMENT = "oscar_ai_crm: segment customers"


def test_the_default_settings_schedule_training_and_segmentation():
    out = StringIO()
    call_command("crm_schedules", stdout=out)

    schedules = {s.name: s for s in Schedule.objects.all()}
    assert schedules[TRAIN].func == "oscar_ai_crm.tasks.train_recommendations"
    assert schedules[TRAIN].cron == "30 3 * * *"
    assert schedules[SEGMENT].func == "oscar_ai_crm.tasks.segment_customers"
    assert schedules[SEGMENT].cron == "0 4 * * *"
    for schedule in schedules.values():  # django-q2 worked out when each runs next
        assert schedule.schedule_type == Schedule.CRON and schedule.next_run is not None
        assert ast.literal_eval(schedule.kwargs) == {"trigger": "schedule"}  # scheduler reads it so
    assert f"{TRAIN}: created (30 3 * * *)" in out.getvalue()


def test_changed_settings_update_and_none_removes():
    ensure_schedules()
    with override_settings(
        OSCAR_AI_CRM={"RECOMMENDATIONS": {"SCHEDULE": "0 1 * * 1"}, "SEGMENTS": {"SCHEDULE": None}}
    ):
        done = ensure_schedules()

    assert done == {TRAIN: "updated (0 1 * * 1)", SEGMENT: "removed"}
    assert list(Schedule.objects.values_list("name", "cron")) == [(TRAIN, "0 1 * * 1")]
