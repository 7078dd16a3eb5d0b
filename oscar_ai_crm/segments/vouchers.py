"""Voucher campaigns: one single-use Oscar voucher code for every member of a segment.

Everything is Oscar's own: a voucher ``ConditionalOffer`` (at least one item from a range
of all products) with a percentage or fixed-amount ``Benefit``, and a ``VoucherSet`` whose
vouchers are ``SINGLE_USE``, so each code works in the basket's voucher form once. Which
customer got which code is kept in :class:`~oscar_ai_crm.models.CampaignVoucher`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Model
from oscar.core.loading import get_class, get_model

from ..models import CampaignVoucher, Segment, SegmentMembership

Benefit = get_model("offer", "Benefit")
Condition = get_model("offer", "Condition")
ConditionalOffer = get_model("offer", "ConditionalOffer")
Range = get_model("offer", "Range")
Voucher = get_model("voucher", "Voucher")
VoucherSet = get_model("voucher", "VoucherSet")
generate_code = get_class("voucher.utils", "generate_code")

#: Our benefit names -> Oscar's Benefit.type.
BENEFIT_TYPES = {"percentage": Benefit.PERCENTAGE, "fixed": Benefit.FIXED}
NAME_LENGTH = 100  # VoucherSet.name's length
CODE_LENGTHS = range(8, 65)  # short codes are guessable and run out
_BATCH = 1000
_CODE_ROUNDS = 20


class CampaignError(ValueError):
    """A voucher campaign that cannot be created as asked (the message says why)."""


def create_voucher_campaign(
    segment: Segment,
    *,
    name: str,
    benefit_type: str,
    value: Decimal | int | float | str,
    start: datetime,
    end: datetime,
    code_length: int = 12,
) -> Model:
    """Give every current member of ``segment`` one single-use voucher code.

    ``benefit_type`` is "percentage" (``value`` % off the basket's products) or "fixed"
    (``value`` off the basket's products). Codes are valid from ``start`` to ``end``.
    Returns the new ``VoucherSet`` (named ``name``); all or nothing is created.
    Raises :class:`CampaignError` for bad input, a name already used or an empty segment.
    """
    amount = _check(name, benefit_type, value, start, end, code_length)
    user_ids = list(
        SegmentMembership.objects.filter(segment=segment)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )
    if not user_ids:
        raise CampaignError(f"Segment {segment.name!r} has no members: nobody to give a code to.")
    with transaction.atomic():
        offer = _create_offer(segment, name, BENEFIT_TYPES[benefit_type], amount)
        voucher_set = VoucherSet.objects.create(
            name=name,
            count=len(user_ids),
            code_length=code_length,
            description=f"Segment {segment.name}: one single-use code per member.",
            start_datetime=start,
            end_datetime=end,
        )
        codes = _unused_codes(len(user_ids), code_length)
        Voucher.objects.bulk_create(
            (
                Voucher(
                    name=f"{name} - {number}",
                    code=code,
                    voucher_set=voucher_set,
                    usage=Voucher.SINGLE_USE,
                    start_datetime=start,
                    end_datetime=end,
                )
                for number, code in enumerate(codes, start=1)
            ),
            batch_size=_BATCH,
        )
        _link(voucher_set, offer, dict(zip(codes, user_ids, strict=True)), segment)
    return voucher_set


#: Header of the campaign's code list (rows from :func:`campaign_rows`).
CAMPAIGN_HEADER = ("email", "code")


def campaign_rows(voucher_set: Model, segment: Segment) -> Iterator[tuple[str, str]]:
    """(email, code) of every member given a code of ``voucher_set``, by customer id."""
    return (
        CampaignVoucher.objects.filter(voucher__voucher_set=voucher_set, segment=segment)
        .order_by("user_id")
        .values_list("user__email", "voucher__code")
        .iterator(chunk_size=_BATCH)
    )


def _check(
    name: str, benefit_type: str, value: object, start: datetime, end: datetime, length: int
) -> Decimal:
    if not name.strip() or len(name) > NAME_LENGTH:
        raise CampaignError(f"Give the campaign a name of 1 to {NAME_LENGTH} characters.")
    taken = {
        "voucher set": VoucherSet.objects.filter(name=name),
        "offer": ConditionalOffer.objects.filter(name=name),
        "range": Range.objects.filter(name=f"{name} (all products)"),
        "voucher": Voucher.objects.filter(name__startswith=f"{name} - "),
    }
    for what, rows in taken.items():
        if rows.exists():
            raise CampaignError(f"A {what} named {name!r} already exists; choose another name.")
    if benefit_type not in BENEFIT_TYPES:
        raise CampaignError(
            f"Unknown benefit type {benefit_type!r}; use one of {', '.join(BENEFIT_TYPES)}."
        )
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise CampaignError(f"The value {value!r} is not a number.") from None
    if not amount.is_finite() or amount <= 0:
        raise CampaignError("The value must be more than 0.")
    if benefit_type == "percentage" and amount > 100:
        raise CampaignError("A percentage discount cannot be more than 100.")
    if start >= end:
        raise CampaignError("The end must be later than the start.")
    if length not in CODE_LENGTHS:
        raise CampaignError(f"Codes must have {CODE_LENGTHS[0]} to {CODE_LENGTHS[-1]} characters.")
    return amount


def _create_offer(segment: Segment, name: str, benefit_type: str, amount: Decimal) -> Model:
    everything = Range.objects.create(name=f"{name} (all products)", includes_all_products=True)
    return ConditionalOffer.objects.create(
        name=name,
        description=f"Voucher campaign for the customer segment {segment.name}.",
        offer_type=ConditionalOffer.VOUCHER,
        condition=Condition.objects.create(range=everything, type=Condition.COUNT, value=1),
        benefit=Benefit.objects.create(range=everything, type=benefit_type, value=amount),
        max_basket_applications=1,
    )


def _unused_codes(count: int, length: int) -> list[str]:
    """``count`` distinct codes that no voucher has yet (checked in batches, not per code)."""
    codes: set[str] = set()
    for _ in range(_CODE_ROUNDS):
        fresh = list({generate_code(length) for _ in range(count - len(codes))} - codes)
        taken: set[str] = set()
        for start in range(0, len(fresh), _BATCH):
            chunk = fresh[start : start + _BATCH]
            taken.update(Voucher.objects.filter(code__in=chunk).values_list("code", flat=True))
        codes.update(code for code in fresh if code not in taken)
        if len(codes) == count:
            return sorted(codes)
    raise CampaignError("Could not find enough unused codes; use longer codes.")


def _link(voucher_set: Model, offer: Model, user_by_code: dict[str, int], segment: Segment) -> None:
    """Attach every voucher of the set to the offer and record whose code it is."""
    through = Voucher.offers.through
    voucher_column = f"{Voucher.offers.field.m2m_field_name()}_id"
    offer_column = f"{Voucher.offers.field.m2m_reverse_field_name()}_id"
    voucher_ids = dict(Voucher.objects.filter(voucher_set=voucher_set).values_list("code", "pk"))
    through.objects.bulk_create(
        (through(**{voucher_column: pk, offer_column: offer.pk}) for pk in voucher_ids.values()),
        batch_size=_BATCH,
    )
    CampaignVoucher.objects.bulk_create(
        (
            CampaignVoucher(voucher_id=voucher_ids[code], user_id=user_id, segment=segment)
            for code, user_id in user_by_code.items()
        ),
        batch_size=_BATCH,
    )
