"""Generated marketing copy: an email (subject, banner line, body) for a segment or a customer."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .generated import GeneratedText

#: The task names of marketing copy (prompt templates and requests).
SEGMENT_EMAIL = "segment_email"
CUSTOMER_EMAIL = "customer_email"


class CopyKind(models.TextChoices):
    SEGMENT = "segment", _("Segment (one email for every member)")
    CUSTOMER = "customer", _("Customer (one email for one customer)")


class CopyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft (to review)")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Failed (see error)")


class MarketingCopy(GeneratedText):
    """One generated email waiting for (or past) a merchant's review.

    The text holds placeholders (``{first_name}``), never a customer's personal data: the
    model writes for "a customer", and :func:`oscar_ai_crm.content.marketing.personalise`
    fills the placeholders per recipient when the email is previewed or exported.
    ``subject`` and ``banner`` are plain text; ``body`` is sanitised HTML; ``original_text``
    is the model's output as received and is never shown as HTML.
    """

    kind = models.CharField(_("kind"), max_length=10, choices=CopyKind.choices)
    segment = models.ForeignKey(
        "oscar_ai_crm.Segment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="marketing_copies",
        verbose_name=_("segment"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="crm_marketing_copies",
        verbose_name=_("customer"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CopyStatus.choices, default=CopyStatus.DRAFT
    )
    subject = models.CharField(_("subject"), max_length=255, blank=True, default="")
    banner = models.CharField(_("banner line"), max_length=255, blank=True, default="")
    body = models.TextField(_("body"), blank=True, default="")
    facts = models.JSONField(
        _("facts"),
        default=dict,
        blank=True,
        help_text=_("What the copy was written from (no personal data)."),
    )
    length = models.CharField(_("length"), max_length=20, default="medium")
    is_template = models.BooleanField(
        _("composed without a model"),
        default=False,
        help_text=_("Written from the facts by the offline backend."),
    )
    flags = models.JSONField(
        _("flags"),
        default=list,
        blank=True,
        help_text=_("Numbers not found in the facts, and placeholders that cannot be filled."),
    )

    class Meta:
        verbose_name = _("marketing copy")
        verbose_name_plural = _("marketing copy")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        target = self.segment if self.kind == CopyKind.SEGMENT else self.user
        return f"{self.kind.capitalize()} email for {target or '–'}"
