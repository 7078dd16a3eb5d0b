"""What every piece of generated text records: how it was written and who reviewed it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class GeneratedText(models.Model):
    """Abstract base of :class:`DescriptionDraft` and :class:`MarketingCopy`.

    ``original_text`` is the model's output as received and is never shown as HTML; the
    subclasses hold the sanitised text merchants review.
    """

    original_text = models.TextField(_("model output"), blank=True, default="")
    tone = models.CharField(_("tone"), max_length=30)
    language = models.CharField(_("language"), max_length=20)
    backend = models.CharField(_("backend"), max_length=60, help_text=_("Settings alias."))
    model = models.CharField(_("model"), max_length=200, blank=True, default="")
    prompt_version = models.PositiveIntegerField(
        _("prompt version"), default=0, help_text=_("0 = the built-in prompt.")
    )
    prompt_tokens = models.PositiveIntegerField(_("prompt tokens"), null=True, blank=True)
    completion_tokens = models.PositiveIntegerField(_("completion tokens"), null=True, blank=True)
    redactions = models.PositiveIntegerField(
        _("redactions"), default=0, help_text=_("Personal data replaced before sending.")
    )
    error = models.TextField(_("error"), blank=True, default="")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    class Meta:
        abstract = True
