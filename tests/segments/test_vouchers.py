"""Voucher campaigns: real Oscar vouchers, one per member, accepted by Oscar's basket once."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model
from oscar.test import factories

from oscar_ai_crm.models import CampaignVoucher, Segment, SegmentKind, SegmentMembership
from oscar_ai_crm.segments.vouchers import (
    CampaignError,
    campaign_rows,
    create_voucher_campaign,
)

Benefit = get_model("offer", "Benefit")
Condition = get_model("offer", "Condition")
ConditionalOffer = get_model("offer", "ConditionalOffer")
Voucher = get_model("voucher", "Voucher")
VoucherSet = get_model("voucher", "VoucherSet")

pytestmark = pytest.mark.django_db


@pytest.fixture
def segment():
    """A segment of three customers; a fourth customer is not in it."""
    group = Segment.objects.create(name="Champions", kind=SegmentKind.CLUSTER)
    for n in range(3):
        SegmentMembership.objects.create(
            segment=group, user=factories.UserFactory(email=f"m{n}@example.com")
        )
    factories.UserFactory(email="outsider@example.com")
    return group


def campaign(segment, **overrides):
    now = timezone.now()
    options = {
        "name": "Thank you",
        "benefit_type": "percentage",
        "value": Decimal("10"),
        "start": now - timedelta(hours=1),
        "end": now + timedelta(days=30),
        **overrides,
    }
    return create_voucher_campaign(segment, **options)


def test_every_member_gets_one_single_use_code(segment):
    voucher_set = campaign(segment)

    vouchers = Voucher.objects.filter(voucher_set=voucher_set)
    assert voucher_set.count == vouchers.count() == 3
    assert {v.usage for v in vouchers} == {Voucher.SINGLE_USE}
    assert len({v.code for v in vouchers}) == 3
    assert all(len(v.code.replace("-", "")) == 12 for v in vouchers)
    offer = ConditionalOffer.objects.get(name="Thank you")
    assert offer.offer_type == ConditionalOffer.VOUCHER
    assert (offer.benefit.type, offer.benefit.value) == (Benefit.PERCENTAGE, Decimal("10.00"))
    assert (offer.condition.type, offer.condition.value) == (Condition.COUNT, Decimal("1.00"))
    assert offer.benefit.range.includes_all_products
    assert {tuple(v.offers.all()) for v in vouchers} == {(offer,)}

    rows = list(campaign_rows(voucher_set, segment))
    assert [email for email, _ in rows] == ["m0@example.com", "m1@example.com", "m2@example.com"]
    assert {code for _, code in rows} == {v.code for v in vouchers}
    owners = CampaignVoucher.objects.filter(voucher__voucher_set=voucher_set)
    assert {c.user.email for c in owners} == {"m0@example.com", "m1@example.com", "m2@example.com"}


def _add_to_basket_and_apply(client: Client, product, code: str) -> tuple[object, list[str]]:
    client.post(reverse("basket:add", args=[product.pk]), {"quantity": 2})
    response = client.post(reverse("basket:vouchers-add"), {"code": code}, follow=True)
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    messages += [str(m) for m in response.context["messages"]] if response.context else []
    return response.wsgi_request.basket, messages


def test_a_members_code_works_in_the_basket_once(segment, product):
    voucher_set = campaign(segment)
    email, code = next(iter(campaign_rows(voucher_set, segment)))
    member = segment.memberships.get(user__email=email).user
    client = Client()
    client.force_login(member)

    basket, messages = _add_to_basket_and_apply(client, product, code.lower())

    assert f"Voucher '{code}' added to basket" in messages
    assert [v.code for v in basket.vouchers.all()] == [code]
    assert basket.total_excl_tax_excl_discounts == Decimal("25.00")
    assert basket.total_discount == Decimal("2.50")  # 10 % of 2 x 12.50
    assert basket.total_incl_tax == Decimal("22.50")

    factories.create_order(basket=basket, user=member)  # Oscar records the voucher's use

    again = Client()
    again.force_login(segment.memberships.exclude(user=member).first().user)
    second_basket, messages = _add_to_basket_and_apply(again, product, code)
    assert "This voucher has already been used" in messages
    assert not second_basket.vouchers.exists()
    assert second_basket.total_discount == Decimal("0.00")


def test_a_fixed_amount_campaign_takes_the_amount_off_once(segment, product):
    voucher_set = campaign(segment, name="Five off", benefit_type="fixed", value=5)
    email, code = next(iter(campaign_rows(voucher_set, segment)))
    client = Client()
    client.force_login(segment.memberships.get(user__email=email).user)

    basket, _ = _add_to_basket_and_apply(client, product, code)

    assert basket.total_discount == Decimal("5.00")
    assert basket.total_incl_tax == Decimal("20.00")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"benefit_type": "free"}, "Unknown benefit type 'free'; use one of percentage, fixed."),
        ({"value": 0}, "The value must be more than 0."),
        ({"value": "ten"}, "The value 'ten' is not a number."),
        ({"value": 120}, "A percentage discount cannot be more than 100."),
        ({"code_length": 4}, "Codes must have 8 to 64 characters."),
        ({"name": " "}, "Give the campaign a name of 1 to 100 characters."),
        ({"end": timezone.now() - timedelta(days=1)}, "The end must be later than the start."),
    ],
)
def test_bad_campaigns_are_refused_and_create_nothing(segment, overrides, message):
    with pytest.raises(CampaignError) as caught:
        campaign(segment, **overrides)

    assert str(caught.value) == message
    assert not VoucherSet.objects.exists() and not ConditionalOffer.objects.exists()


def test_names_are_not_reused_and_empty_segments_get_nothing(segment):
    campaign(segment)
    with pytest.raises(CampaignError, match="A voucher set named 'Thank you' already exists"):
        campaign(segment)

    empty = Segment.objects.create(name="Nobody", kind=SegmentKind.CLUSTER)
    with pytest.raises(CampaignError, match="Segment 'Nobody' has no members"):
        campaign(empty, name="For nobody")
    assert VoucherSet.objects.count() == 1
