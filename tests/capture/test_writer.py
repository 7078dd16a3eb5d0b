"""The background writer (the default): events leave the request path and still arrive."""

import logging
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from oscar_ai_crm.capture import clock, writer
from oscar_ai_crm.capture.identity import Visitor
from oscar_ai_crm.capture.recorder import EventData
from oscar_ai_crm.capture.writer import flush_pending_events
from oscar_ai_crm.models import CustomerProfile, Event, EventKind

# transaction=True: the writer thread has its own connection and must see committed rows.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def background(_write_events_inline, settings):
    """Undo the suite's inline default: capture as a production shop does."""
    token = writer._force_inline.set(False)
    settings.OSCAR_AI_CRM = {"CAPTURE": {"WRITE_MODE": "background"}}
    yield
    assert flush_pending_events(10, release_connection=True)
    writer._force_inline.reset(token)


def test_views_and_basket_additions_are_written_off_the_request(
    background, logged_in, customer, product
):
    assert logged_in.get(product.get_absolute_url()).status_code == 200
    logged_in.post(reverse("basket:add", args=[product.pk]), {"quantity": 2})
    logged_in.get(reverse("search:search"), {"q": "linen"})

    assert flush_pending_events(10)
    kinds = sorted(Event.objects.filter(user=customer).values_list("kind", flat=True))
    assert kinds == [EventKind.BASKET_ADD, EventKind.SEARCH, EventKind.VIEW]
    profile = CustomerProfile.objects.get(user=customer)
    assert (profile.view_count, profile.basket_add_count, profile.search_count) == (1, 1, 1)


def test_event_time_is_stamped_when_queued_not_when_written(background, browser, product):
    then = timezone.now() - timedelta(days=3)
    with clock.recorded_at(then):  # the writer thread cannot see this context
        browser.get(product.get_absolute_url())

    assert flush_pending_events(10)
    assert Event.objects.get().created_at == then


def test_a_failing_batch_is_logged_and_the_writer_keeps_going(background, browser, product, caplog):
    table = Event._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} RENAME TO {table}_away")
    try:
        with caplog.at_level(logging.ERROR, logger="oscar_ai_crm"):
            assert browser.get(product.get_absolute_url()).status_code == 200
            assert flush_pending_events(10)
        assert "could not be written" in caplog.text
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {table}_away RENAME TO {table}")

    browser.get(product.get_absolute_url())
    assert flush_pending_events(10)
    assert Event.objects.count() == 1


def test_inline_mode_writes_during_the_request(settings, browser, product):
    settings.OSCAR_AI_CRM = {"CAPTURE": {"WRITE_MODE": "inline"}}
    token = writer._force_inline.set(False)
    try:
        browser.get(product.get_absolute_url())
        assert Event.objects.count() == 1  # no flush needed
    finally:
        writer._force_inline.reset(token)


def test_a_steady_trickle_is_written_within_the_flush_interval(background, product):
    """A batch waits at most BACKGROUND_FLUSH_SECONDS in all, not per arriving event."""
    trickle = writer.BackgroundWriter(max_queue=1000, flush_seconds=0.2)
    visitor = Visitor(None, "trickle")
    submitted, written_while_trickling = 0, False
    for _ in range(60):  # an event every 50 ms for up to 3 s (a batch holds up to 200)
        event = EventData(EventKind.VIEW, product_id=product.pk, created_at=timezone.now())
        trickle.submit((visitor, [event]))
        submitted += 1
        time.sleep(0.05)
        if trickle.queue.unfinished_tasks < submitted:  # a batch was written (no DB read:
            written_while_trickling = True  # shared-cache SQLite locks tables across threads)
            break
    trickle.release_connection()
    assert trickle.flush(10)
    assert written_while_trickling
    assert Event.objects.filter(session_hash="trickle").count() == submitted


def test_views_still_queued_at_login_are_merged(background, browser, customer, product):
    browser.get(product.get_absolute_url())  # queued, not yet written

    browser.post(
        reverse("customer:login"),
        {"login_submit": "1", "login-username": customer.email, "login-password": "skelebrain"},
    )

    assert flush_pending_events(10)
    assert Event.objects.get(kind=EventKind.VIEW).user == customer
    assert CustomerProfile.objects.get(user=customer).view_count == 1
