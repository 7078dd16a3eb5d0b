"""Generated product descriptions: prompt templates, drafts and generation batches."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .generated import GeneratedText

#: The task name of product descriptions (prompt templates and requests).
PRODUCT_DESCRIPTION = "product_description"


class PromptTemplate(models.Model):
    """One version of the prompt of a task, in Django template syntax.

    Rows are never edited once saved with new text: the admin saves an edit as a new
    version, so every draft can name the exact prompt it was written from. Version 0 is
    the built-in default of :mod:`oscar_ai_crm.content.prompts`, used while no row of the
    task is active.
    """

    task = models.CharField(_("task"), max_length=40, default=PRODUCT_DESCRIPTION)
    name = models.CharField(_("name"), max_length=100)
    version = models.PositiveIntegerField(_("version"))
    system_template = models.TextField(
        _("system message"), help_text=_("Instructions to the model (Django template syntax).")
    )
    user_template = models.TextField(
        _("user message"),
        help_text=_("The request with the product's facts (Django template syntax)."),
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("The version used for new drafts.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("prompt template")
        verbose_name_plural = _("prompt templates")
        ordering = ["task", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["task", "version"], name="crm_prompt_task_version"),
            models.UniqueConstraint(
                fields=["task"], condition=Q(is_active=True), name="crm_one_active_prompt"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"


class DraftStatus(models.TextChoices):
    DRAFT = "draft", _("Draft (to review)")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    PUBLISHED = "published", _("Published")
    FAILED = "failed", _("Failed (see error)")


class BatchStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class GenerationBatch(models.Model):
    """Descriptions generated for a list of products with the same options.

    One django-q2 task runs one batch. A product that fails is counted and listed in
    ``errors``; the batch goes on. ``failed`` status means the batch itself could not run
    (e.g. its backend is not configured any more).
    """

    options = models.JSONField(
        _("options"), default=dict, help_text=_("tone, length, language, keywords, backend, force")
    )
    product_ids = models.JSONField(_("product ids"), default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.QUEUED
    )
    total = models.PositiveIntegerField(_("products"), default=0)
    done = models.PositiveIntegerField(_("done"), default=0)
    created = models.PositiveIntegerField(_("drafts created"), default=0)
    skipped = models.PositiveIntegerField(
        _("skipped"), default=0, help_text=_("Unchanged since their last draft.")
    )
    flagged = models.PositiveIntegerField(
        _("flagged"), default=0, help_text=_("Created drafts with unsupported claims.")
    )
    failed = models.PositiveIntegerField(_("failed"), default=0)
    errors = models.JSONField(
        _("errors"), default=list, blank=True, help_text=_("[{product, error}]")
    )
    queued_at = models.DateTimeField(_("queued"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("description batch")
        verbose_name_plural = _("description batches")
        ordering = ["-queued_at", "-id"]

    def __str__(self) -> str:
        return f"Batch {self.pk} ({self.done}/{self.total})"

    def summary(self) -> dict[str, int]:
        """The counts, as the task and the command report them."""
        names = ("total", "done", "created", "skipped", "flagged", "failed")
        return {name: getattr(self, name) for name in names}


class DescriptionDraft(GeneratedText):
    """A generated product description waiting for (or past) a merchant's review.

    ``original_text`` is the model's output as received and is never shown as HTML;
    ``text`` is the sanitised HTML the merchant reviews, edits and publishes.
    """

    product = models.ForeignKey(
        "catalogue.Product",
        on_delete=models.CASCADE,
        related_name="crm_description_drafts",
        verbose_name=_("product"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DraftStatus.choices, default=DraftStatus.DRAFT
    )
    text = models.TextField(_("description"), blank=True, default="")
    length = models.CharField(_("length"), max_length=20)
    keywords = models.JSONField(_("keywords"), default=list, blank=True)
    is_template = models.BooleanField(
        _("composed without a model"),
        default=False,
        help_text=_("Written from the product's data by the offline backend."),
    )
    prompt_template = models.ForeignKey(
        PromptTemplate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="drafts",
        verbose_name=_("prompt template"),
    )
    input_hash = models.CharField(_("input hash"), max_length=64)
    flags = models.JSONField(
        _("unsupported claims"),
        default=list,
        blank=True,
        help_text=_("Numbers, units and attribute values not found in the product's data."),
    )
    batch = models.ForeignKey(
        GenerationBatch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="drafts",
        verbose_name=_("batch"),
    )
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last edited by"),
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        verbose_name = _("description draft")
        verbose_name_plural = _("description drafts")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["product", "input_hash"], name="crm_draft_product_hash")]

    def __str__(self) -> str:
        return f"Description of {self.product} ({self.get_status_display()})"
