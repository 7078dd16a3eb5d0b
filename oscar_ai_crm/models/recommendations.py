"""Trained recommender runs and the precomputed recommendations they serve."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SERVING = "serving", _("Serving")
    RETIRED = "retired", _("Retired (was serving)")
    REJECTED = "rejected", _("Rejected (worse than the serving run)")
    FAILED = "failed", _("Failed")


class ModelRun(models.Model):
    """One training of the recommenders: what was trained, on what, how well, how fast.

    At most one run is ``serving``: its rows in :class:`Recommendation` and
    :class:`ProductRecommendation` are the ones shoppers see.
    """

    model = models.CharField(_("model"), max_length=64, help_text=_("Alias in settings."))
    model_class = models.CharField(_("class"), max_length=255, blank=True, default="")
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    trigger = models.CharField(
        _("trigger"), max_length=20, blank=True, default="", help_text=_("admin, schedule, command")
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    duration_seconds = models.FloatField(_("duration (s)"), null=True, blank=True)
    peak_memory_mb = models.FloatField(
        _("peak memory (MB)"),
        null=True,
        blank=True,
        help_text=_("Growth of the process's resident memory during the run."),
    )
    n_users = models.PositiveIntegerField(_("customers and sessions"), default=0)
    n_items = models.PositiveIntegerField(_("products"), default=0)
    n_interactions = models.PositiveIntegerField(_("interactions"), default=0)
    metrics = models.JSONField(
        _("evaluation"),
        default=dict,
        blank=True,
        help_text=_("The offline evaluation table of this run (time split), per model."),
    )
    message = models.TextField(_("message"), blank=True, default="")

    class Meta:
        verbose_name = _("recommender run")
        verbose_name_plural = _("recommender runs")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status="serving"),
                name="crm_one_serving_model_run",
            )
        ]

    def __str__(self) -> str:
        return f"{self.model} run {self.pk} ({self.get_status_display()})"


class ReasonKind(models.TextChoices):
    SIMILAR = "similar", _("Similar to something you viewed")
    BOUGHT_TOGETHER = "bought_together", _("Bought together")
    POPULAR = "popular", _("Popular")
    HISTORY = "history", _("Bought before")
    RATED = "rated", _("Liked by customers with similar taste")


class Recommendation(models.Model):
    """A product recommended to a customer by the serving run (rank 0 first)."""

    run = models.ForeignKey(ModelRun, on_delete=models.CASCADE, related_name="recommendations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="crm_recommendations"
    )
    product = models.ForeignKey("catalogue.Product", on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField(_("rank"))
    score = models.FloatField(_("score"))
    reason = models.CharField(
        _("reason"), max_length=20, choices=ReasonKind.choices, blank=True, default=""
    )
    reason_product = models.ForeignKey(
        "catalogue.Product", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["user", "rank"]
        indexes = [models.Index(fields=["user", "rank"], name="crm_rec_user_rank")]

    def __str__(self) -> str:
        return f"#{self.rank + 1} for user {self.user_id}: product {self.product_id}"


class ProductLinkKind(models.TextChoices):
    SIMILAR = "similar", _("Similar product")
    BOUGHT_TOGETHER = "bought_together", _("Frequently bought together")
    POPULAR = "popular", _("Popular (no source product)")


class ProductRecommendation(models.Model):
    """A product shown next to another (similar, bought together), or in the popular list.

    Popular rows have no ``source``; they are the cold-start fallback.
    """

    run = models.ForeignKey(
        ModelRun, on_delete=models.CASCADE, related_name="product_recommendations"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ProductLinkKind.choices)
    source = models.ForeignKey(
        "catalogue.Product", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    product = models.ForeignKey("catalogue.Product", on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField(_("rank"))
    score = models.FloatField(_("score"))
    category = models.CharField(_("category"), max_length=255, blank=True, default="")

    class Meta:
        verbose_name = _("product recommendation")
        verbose_name_plural = _("product recommendations")
        ordering = ["kind", "source", "rank"]
        indexes = [
            models.Index(fields=["kind", "source", "rank"], name="crm_prodrec_source_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.rank + 1} for product {self.source_id}: {self.product_id}"
