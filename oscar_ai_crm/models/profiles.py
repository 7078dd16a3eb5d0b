"""CustomerProfile: one per customer, created lazily at their first recorded event."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerProfile(models.Model):
    """A customer's CRM record: activity counters kept current by capture.

    Counters are only ever changed with ``F()`` updates or rebuilt from the event log
    (:func:`oscar_ai_crm.profiles.activity.rebuild_activity`), never read-modify-written.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="crm_profile",
        verbose_name=_("customer"),
    )
    tracking_opted_out = models.BooleanField(
        _("opted out of tracking"),
        default=False,
        help_text=_("The customer asked not to be tracked: nothing new is recorded for them."),
    )
    first_seen_at = models.DateTimeField(_("first seen"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    view_count = models.PositiveIntegerField(_("product views"), default=0)
    search_count = models.PositiveIntegerField(_("searches"), default=0)
    basket_add_count = models.PositiveIntegerField(_("basket additions"), default=0)
    order_count = models.PositiveIntegerField(_("orders"), default=0)
    review_count = models.PositiveIntegerField(_("reviews"), default=0)
    total_spent = models.DecimalField(
        _("total spent"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    last_order_at = models.DateTimeField(_("last order"), null=True, blank=True)

    # Written by segmentation runs (oscar_ai_crm.segments), never by capture.
    features = models.JSONField(
        _("features"),
        default=dict,
        blank=True,
        help_text=_("The customer's features at the last segmentation run: {name: value}."),
    )
    intent_score = models.FloatField(
        _("purchase intent"),
        null=True,
        blank=True,
        help_text=_("Probability of an order within the intent horizon."),
    )
    churn_score = models.FloatField(
        _("churn risk"), null=True, blank=True, help_text=_("Probability of not ordering again.")
    )
    expected_next_order_at = models.DateTimeField(_("expected next order"), null=True, blank=True)
    clv = models.DecimalField(
        _("customer lifetime value"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    features_updated_at = models.DateTimeField(_("features updated"), null=True, blank=True)

    class Meta:
        verbose_name = _("customer profile")
        verbose_name_plural = _("customer profiles")
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"CRM profile of {self.user}"
