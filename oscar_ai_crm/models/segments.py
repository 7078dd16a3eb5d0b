"""Customer segments: segmentation runs, segments, their members and movement between them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from ..segments.rules import validate_conditions


class SegmentRunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SERVING = "serving", _("Serving")
    RETIRED = "retired", _("Retired (was serving)")
    FAILED = "failed", _("Failed")


class SegmentRun(models.Model):
    """One segmentation: features, clusters, rules and predictions computed together.

    At most one run is ``serving``: the segments, memberships and profile scores it wrote
    are the current ones. A failed run leaves them as they were.
    """

    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SegmentRunStatus.choices,
        default=SegmentRunStatus.RUNNING,
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
    n_customers = models.PositiveIntegerField(_("customers"), default=0)
    n_events = models.PositiveIntegerField(_("events"), default=0)
    metrics = models.JSONField(
        _("metrics"),
        default=dict,
        blank=True,
        help_text=_(
            "k, silhouette by k, segment sizes, personas, intent and churn evaluation (AUC, "
            "calibration)."
        ),
    )
    message = models.TextField(_("message"), blank=True, default="")

    class Meta:
        verbose_name = _("segmentation run")
        verbose_name_plural = _("segmentation runs")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status="serving"),
                name="crm_one_serving_segment_run",
            )
        ]

    def __str__(self) -> str:
        return f"Segmentation run {self.pk} ({self.get_status_display()})"


class SegmentKind(models.TextChoices):
    CLUSTER = "cluster", _("Cluster (found by K-means)")
    RULE = "rule", _("Rule (defined by the merchant)")


class RuleMatch(models.TextChoices):
    ALL = "all", _("all conditions hold (and)")
    ANY = "any", _("any condition holds (or)")


class Segment(models.Model):
    """A group of customers: a K-means cluster with its persona, or a merchant's rule.

    Rule segments hold ``conditions``: a list of ``{"field", "op", "value"}`` dicts joined
    by ``match`` (see :mod:`oscar_ai_crm.segments.rules`). Both kinds are re-evaluated by
    every segmentation run, which rewrites their memberships.
    """

    kind = models.CharField(
        _("kind"), max_length=10, choices=SegmentKind.choices, default=SegmentKind.RULE
    )
    name = models.CharField(_("name"), max_length=128)
    slug = models.SlugField(_("slug"), max_length=128, unique=True)
    description = models.TextField(_("description"), blank=True, default="")
    persona = models.JSONField(
        _("persona"),
        default=dict,
        blank=True,
        help_text=_("Clusters: size, feature means against the shop average, top categories."),
    )
    run = models.ForeignKey(
        SegmentRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="segments",
        verbose_name=_("run"),
        help_text=_("The run that last described this segment."),
    )
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_(
            "Rules: untick to stop evaluating the rule. Clusters: set by runs (a cluster the "
            "last run did not find again is inactive)."
        ),
    )
    match = models.CharField(
        _("customers match when"),
        max_length=3,
        choices=RuleMatch.choices,
        default=RuleMatch.ALL,
    )
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    member_count = models.PositiveIntegerField(_("members"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = slugify(self.name)[:128]
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.kind == SegmentKind.RULE:
            if errors := validate_conditions(self.conditions):
                raise ValidationError({"conditions": errors})
        elif self.conditions:
            raise ValidationError(
                {"conditions": _("Cluster segments are found by K-means and have no conditions.")}
            )


class SegmentMembership(models.Model):
    """A customer currently in a segment, since when, per which run."""

    segment = models.ForeignKey(
        Segment, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("segment")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="crm_segment_memberships",
        verbose_name=_("customer"),
    )
    since = models.DateTimeField(_("member since"), default=timezone.now)
    run = models.ForeignKey(
        SegmentRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("run"),
    )

    class Meta:
        verbose_name = _("segment membership")
        verbose_name_plural = _("segment memberships")
        ordering = ["segment", "user"]
        constraints = [
            models.UniqueConstraint(fields=["segment", "user"], name="crm_one_membership")
        ]

    def __str__(self) -> str:
        return f"user {self.user_id} in segment {self.segment_id}"


class SegmentMovement(models.Model):
    """A customer entering, leaving or moving between segments (the history of memberships).

    Entering has no ``from_segment``; leaving has no ``to_segment``.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="crm_segment_movements",
        verbose_name=_("customer"),
    )
    from_segment = models.ForeignKey(
        Segment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="movements_out",
        verbose_name=_("from"),
    )
    to_segment = models.ForeignKey(
        Segment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="movements_in",
        verbose_name=_("to"),
    )
    run = models.ForeignKey(
        SegmentRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="movements",
        verbose_name=_("run"),
    )
    moved_at = models.DateTimeField(_("moved"), default=timezone.now)

    class Meta:
        verbose_name = _("segment movement")
        verbose_name_plural = _("segment movements")
        ordering = ["-moved_at", "-id"]
        indexes = [
            models.Index(fields=["user", "moved_at"], name="crm_movement_user_time"),
            models.Index(fields=["moved_at"], name="crm_movement_time"),
        ]

    def __str__(self) -> str:
        return f"user {self.user_id}: {self.from_segment_id} -> {self.to_segment_id}"


class CampaignVoucher(models.Model):
    """Which customer of a segment was given which code of a voucher campaign."""

    voucher = models.OneToOneField(
        "voucher.Voucher",
        on_delete=models.CASCADE,
        related_name="crm_campaign",
        verbose_name=_("voucher"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="crm_campaign_vouchers",
        verbose_name=_("customer"),
    )
    segment = models.ForeignKey(
        Segment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="campaign_vouchers",
        verbose_name=_("segment"),
    )

    class Meta:
        verbose_name = _("campaign voucher")
        verbose_name_plural = _("campaign vouchers")

    def __str__(self) -> str:
        return f"voucher {self.voucher_id} for user {self.user_id}"
