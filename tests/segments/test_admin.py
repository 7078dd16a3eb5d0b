"""Segment admin pages through the Django test client, as a staff user sees them."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model
from oscar.test import factories

from oscar_ai_crm.models import (
    CampaignVoucher,
    CustomerProfile,
    Segment,
    SegmentKind,
    SegmentMembership,
    SegmentMovement,
    SegmentRun,
    SegmentRunStatus,
)

Voucher = get_model("voucher", "Voucher")

pytestmark = pytest.mark.django_db

PERSONA = {
    "label": 0,
    "size": 2,
    "share": 0.5,
    "means": {"monetary": 812.5, "frequency": 9.0, "recency_days": 12.0},
    "relative": {"monetary": 3.25, "frequency": 2.5, "recency_days": 0.2},
    "top_categories": [["Electronics", 0.625], ["Books", 0.25]],
    "name": "Champions",
    "description": "Buy often, spend the most, bought recently.",
}


@pytest.fixture
def staff(client):
    client.force_login(factories.UserFactory(username="boss", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def shop():
    """A serving run, a cluster segment with two members, a rule segment with one."""
    run = SegmentRun.objects.create(
        status=SegmentRunStatus.SERVING,
        n_customers=4,
        metrics={"k": 3, "silhouette_by_k": {"2": 0.41, "3": 0.52}, "sizes": [2, 1, 1]},
    )
    cluster = Segment.objects.create(
        kind=SegmentKind.CLUSTER,
        name="Champions",
        slug="champions",
        persona=PERSONA,
        run=run,
        member_count=2,
    )
    rule = Segment.objects.create(
        name="Big spenders gone quiet",
        slug="quiet-spenders",
        conditions=[
            {"field": "monetary", "op": "gt", "value": 100},
            {"field": "recency_days", "op": "gt", "value": 90},
        ],
        member_count=1,
    )
    ann, bob, cat = (factories.UserFactory(email=f"{n}@example.com") for n in ("ann", "bob", "cat"))
    for segment, user in ((cluster, ann), (cluster, bob), (rule, cat)):
        SegmentMembership.objects.create(segment=segment, user=user, run=run)
    SegmentMovement.objects.create(user=ann, to_segment=cluster, run=run)
    SegmentMovement.objects.create(user=cat, from_segment=cluster, to_segment=rule, run=run)
    CustomerProfile.objects.create(
        user=ann,
        features={"monetary": 812.5, "frequency": 9.0},
        intent_score=0.83,
        churn_score=0.04,
    )
    return {"run": run, "cluster": cluster, "rule": rule, "ann": ann, "cat": cat}


def test_segment_list_shows_kind_size_rule_and_run(staff, shop):
    response = staff.get(reverse("admin:oscar_ai_crm_segment_changelist"))

    assert response.status_code == 200
    assert response.context["cl"].result_count == 2
    html = response.content.decode()
    assert "monetary &gt; 100 and recency_days &gt; 90" in html
    assert "Cluster (found by K-means)" in html and "Rule (defined by the merchant)" in html


def test_cluster_page_shows_the_persona_as_a_table(staff, shop):
    cluster = shop["cluster"]
    response = staff.get(reverse("admin:oscar_ai_crm_segment_change", args=[cluster.pk]))

    html = response.content.decode()
    assert "2 customers, 50 % of the shop." in html
    assert "Electronics (62 %), Books (25 %)" in html
    assert "<td>monetary</td><td>812.50</td><td>3.25</td>" in html
    assert "Buy often, spend the most" in html
    assert f"?segment__id__exact={cluster.pk}" in html  # link to its members
    assert 'name="conditions"' not in html  # clusters have no rule to edit


def test_rule_page_edits_conditions_as_lines(staff, shop):
    url = reverse("admin:oscar_ai_crm_segment_change", args=[shop["rule"].pk])
    form = staff.get(url).context["adminform"].form
    assert form.initial["conditions"] == "monetary > 100\nrecency_days > 90"

    response = staff.post(
        url,
        {
            "name": "Keen but quiet",
            "slug": "quiet-spenders",
            "description": "",
            "is_active": "on",
            "match": "any",
            "conditions": "intent_score >= 0.5\nchurn_score > 0.7",
        },
    )

    assert response.status_code == 302
    rule = Segment.objects.get(pk=shop["rule"].pk)
    assert (rule.name, rule.match) == ("Keen but quiet", "any")
    assert rule.conditions == [
        {"field": "intent_score", "op": "gte", "value": 0.5},
        {"field": "churn_score", "op": "gt", "value": 0.7},
    ]


def test_adding_a_rule_with_mistakes_shows_what_is_wrong(staff):
    response = staff.post(
        reverse("admin:oscar_ai_crm_segment_add"),
        {
            "name": "Lapsed",
            "slug": "lapsed",
            "match": "all",
            "conditions": "spent > 100\nrecency_days more 90\nmonetary >",
        },
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["conditions"]
    assert errors[0].startswith("Condition 1: unknown field 'spent'.")
    assert errors[1].startswith("Condition 2: unknown operator 'more'")
    assert errors[2].startswith("Condition 3: 'monetary >' should be 'field operator value'")
    assert not Segment.objects.exists()

    fixed = {"name": "Lapsed", "slug": "lapsed", "match": "all", "conditions": "recency_days > 90"}
    assert staff.post(reverse("admin:oscar_ai_crm_segment_add"), fixed).status_code == 302
    assert Segment.objects.get(slug="lapsed").kind == SegmentKind.RULE


def _csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_export_action_streams_the_members_as_csv(staff, shop):
    url = reverse("admin:oscar_ai_crm_segment_changelist")
    cluster = shop["cluster"]

    response = staff.post(url, {"action": "export_members_csv", "_selected_action": [cluster.pk]})

    rows = _csv(response)
    assert 'filename="segment-champions.csv"' in response["Content-Disposition"]
    assert [row[1] for row in rows] == ["email", "ann@example.com", "bob@example.com"]
    both = [cluster.pk, shop["rule"].pk]
    refused = staff.post(url, {"action": "export_members_csv", "_selected_action": both})
    assert refused.status_code == 302


def test_voucher_campaign_form_creates_one_code_per_member(staff, shop):
    cluster = shop["cluster"]
    response = staff.post(
        reverse("admin:oscar_ai_crm_segment_changelist"),
        {"action": "create_voucher_campaign", "_selected_action": [cluster.pk]},
    )
    form_url = reverse("admin:oscar_ai_crm_segment_voucher_campaign", args=[cluster.pk])
    assert response["Location"] == form_url
    page = staff.get(form_url)
    assert page.status_code == 200 and page.context["form"].initial["benefit_type"] == "percentage"

    start, end = timezone.localtime(), timezone.localtime() + timedelta(days=14)
    response = staff.post(
        form_url,
        {
            "name": "Spring thanks",
            "benefit_type": "fixed",
            "value": "7.50",
            "start_0": start.strftime("%Y-%m-%d"),
            "start_1": start.strftime("%H:%M:%S"),
            "end_0": end.strftime("%Y-%m-%d"),
            "end_1": end.strftime("%H:%M:%S"),
        },
        follow=True,
    )

    assert "Created 2 single-use voucher codes" in response.content.decode()
    codes = CampaignVoucher.objects.filter(segment=cluster)
    assert {c.user.email for c in codes} == {"ann@example.com", "bob@example.com"}
    assert {c.voucher.offers.get().benefit.value for c in codes} == {Decimal("7.50")}
    set_pk = codes[0].voucher.voucher_set_id
    download = staff.get(
        reverse("admin:oscar_ai_crm_segment_campaign_codes", args=[cluster.pk, set_pk])
    )
    rows = _csv(download)
    assert rows[0] == ["email", "code"]
    assert {tuple(r) for r in rows[1:]} == {(c.user.email, c.voucher.code) for c in codes}


def test_voucher_form_reports_a_refused_campaign(staff, shop):
    form_url = reverse("admin:oscar_ai_crm_segment_voucher_campaign", args=[shop["cluster"].pk])
    now = timezone.localtime()
    response = staff.post(
        form_url,
        {
            "name": "Too generous",
            "benefit_type": "percentage",
            "value": "150",
            **{f"{key}_0": now.strftime("%Y-%m-%d") for key in ("start", "end")},
            "start_1": "08:00:00",
            "end_1": "20:00:00",
        },
    )

    assert response.status_code == 200
    assert "A percentage discount cannot be more than 100." in response.content.decode()
    assert not Voucher.objects.exists()


def test_run_pages_show_metrics_and_the_run_button(staff, shop):
    listing = staff.get(reverse("admin:oscar_ai_crm_segmentrun_changelist"))
    html = listing.content.decode()
    assert "Run segmentation now" in html
    assert "0.52" in html  # silhouette of the chosen k

    run = shop["run"]
    detail = staff.get(reverse("admin:oscar_ai_crm_segmentrun_change", args=[run.pk]))
    assert "&quot;silhouette_by_k&quot;: {\n    &quot;2&quot;: 0.41" in detail.content.decode()


def test_members_and_movements_filter_by_segment_and_customer(staff, shop):
    cluster, cat = shop["cluster"], shop["cat"]
    members = staff.get(
        reverse("admin:oscar_ai_crm_segmentmembership_changelist"),
        {"segment__id__exact": cluster.pk},
    )
    assert sorted(m.user.email for m in members.context["cl"].result_list) == [
        "ann@example.com",
        "bob@example.com",
    ]
    url = reverse("admin:oscar_ai_crm_segmentmovement_changelist")
    left = staff.get(url, {"from_segment__id__exact": cluster.pk}).context["cl"].result_list
    assert [(m.user, m.to_segment) for m in left] == [(cat, shop["rule"])]
    by_customer = staff.get(url, {"user__id__exact": shop["ann"].pk}).context["cl"].result_list
    assert [m.to_segment for m in by_customer] == [cluster]


def test_profile_page_shows_features_scores_and_segments(staff, shop):
    profile = CustomerProfile.objects.get(user=shop["ann"])
    listing = staff.get(reverse("admin:oscar_ai_crm_customerprofile_changelist"))
    assert "0.83" in listing.content.decode()

    html = staff.get(
        reverse("admin:oscar_ai_crm_customerprofile_change", args=[profile.pk])
    ).content.decode()

    assert "<td>monetary</td><td>812.50</td>" in html
    assert "<td>frequency</td><td>9</td>" in html
    assert "0.04" in html
    assert ">Champions</a>" in html and "movement history" in html
    assert 'name="features"' not in html  # shown, not editable
