"""Django admin pages for the event log and profiles."""

import pytest
from django.urls import reverse
from oscar.test import factories

from oscar_ai_crm.models import CustomerProfile, Event, EventKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(factories.UserFactory(username="boss", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def events(customer, product):
    other = factories.create_product(title="Other", upc="OT-9")
    Event.objects.create(kind=EventKind.VIEW, user=customer, product=product)
    Event.objects.create(kind=EventKind.VIEW, user=customer, product=other)
    Event.objects.create(kind=EventKind.SEARCH, user=customer, query="linen")
    return other


def test_event_list_filters_by_kind_and_product(admin_client, events, product):
    url = reverse("admin:oscar_ai_crm_event_changelist")

    assert admin_client.get(url).context["cl"].result_count == 3
    assert admin_client.get(url, {"kind__exact": "view"}).context["cl"].result_count == 2
    by_upc = admin_client.get(url, {"kind__exact": "view", "product": "LS-1"})
    assert [e.product for e in by_upc.context["cl"].result_list] == [product]
    by_id = admin_client.get(url, {"product": str(events.pk)})
    assert [e.product for e in by_id.context["cl"].result_list] == [events]
    assert 'name="kind__exact" value="view"' in by_upc.content.decode()


def test_events_are_read_only(admin_client, events):
    event = Event.objects.first()
    assert admin_client.get(reverse("admin:oscar_ai_crm_event_add")).status_code == 403
    response = admin_client.post(
        reverse("admin:oscar_ai_crm_event_change", args=[event.pk]), {"kind": "order"}
    )
    assert response.status_code == 403
    assert Event.objects.get(pk=event.pk).kind == event.kind


def test_profile_recount_action_runs_the_task(admin_client, events, customer):
    profile = CustomerProfile.objects.create(user=customer)  # counters out of date

    response = admin_client.post(
        reverse("admin:oscar_ai_crm_customerprofile_changelist"),
        {"action": "rebuild_selected", "_selected_action": [profile.pk]},
    )

    assert response.status_code == 302
    profile.refresh_from_db()
    assert (profile.view_count, profile.search_count) == (2, 1)


def test_privacy_page_shows_the_current_choice(logged_in):
    response = logged_in.get(reverse("oscar_ai_crm:privacy"))

    assert response.status_code == 200
    assert response.context["form"].initial == {"allow_tracking": True}
    html = response.content.decode()
    assert 'class="nav-link active">Privacy</a>' in html  # its tab among Oscar's account tabs
    assert reverse("customer:order-list") in html


def test_privacy_page_needs_login(browser):
    response = browser.get(reverse("oscar_ai_crm:privacy"))
    assert response.status_code == 302 and "login" in response["Location"]
