"""The behaviour event log: one row per thing a shopper did."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    VIEW = "view", _("Product view")
    SEARCH = "search", _("Search")
    BASKET_ADD = "basket_add", _("Basket addition")
    ORDER = "order", _("Order")
    PURCHASE = "purchase", _("Order line")
    REVIEW = "review", _("Review")
    LOGIN = "login", _("Login")
    REC_IMPRESSION = "rec_impression", _("Recommendation shown")
    REC_CLICK = "rec_click", _("Recommendation clicked")


class EventSource(models.TextChoices):
    WEB = "web", _("Web")
    API = "api", _("API")
    BACKFILL = "backfill", _("Backfill")


class Event(models.Model):
    """Something a customer (or an anonymous visitor) did in the shop.

    ``user`` is set for customers; anonymous visitors carry ``session_hash`` (a salted
    hash of their session key, never the key itself) until login merges them.
    ``dedupe_key`` is set for events that mirror a shop record (an order, an order line,
    a review, an Oscar analytics row), so capture and backfill never count one twice.
    """

    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="crm_events",
        verbose_name=_("customer"),
    )
    session_hash = models.CharField(_("session hash"), max_length=64, blank=True, default="")
    product = models.ForeignKey(
        "catalogue.Product",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("product"),
    )
    quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    value = models.DecimalField(
        _("value"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Money: order total, order-line price or basket-line price."),
    )
    currency = models.CharField(_("currency"), max_length=12, blank=True, default="")
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    query = models.CharField(_("search query"), max_length=255, blank=True, default="")
    order_number = models.CharField(_("order number"), max_length=128, blank=True, default="")
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    source = models.CharField(
        _("source"), max_length=10, choices=EventSource.choices, default=EventSource.WEB
    )
    # NULL, not "": events without a source record stay out of the partial unique index.
    dedupe_key = models.CharField(max_length=64, null=True, blank=True, editable=False)  # noqa: DJ001
    extra = models.JSONField(_("extra"), default=dict, blank=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_at"], name="crm_event_time"),
            models.Index(fields=["user", "created_at"], name="crm_event_user_time"),
            models.Index(fields=["product", "created_at"], name="crm_event_product_time"),
            models.Index(
                fields=["session_hash"],
                condition=Q(user__isnull=True),
                name="crm_event_anonymous_session",
            ),
        ]
        constraints = [
            # Partial: the many events without a key (views, searches) skip this index.
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=Q(dedupe_key__isnull=False),
                name="crm_event_unique_source_record",
            ),
        ]

    def __str__(self) -> str:
        who = f"user {self.user_id}" if self.user_id else "anonymous"
        return f"{self.get_kind_display()} by {who} at {self.created_at:%Y-%m-%d %H:%M}"
