"""Django admin for customer segments: runs, personas, rule segments, members, movement.

Merchants define rule segments here, read personas, follow customers' movement, export a
segment as CSV and turn it into an Oscar voucher campaign. See docs/segments-admin.md.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import timedelta
from itertools import chain
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .admin import CustomerProfileAdmin
from .admin_recommendations import ReadOnlyAdmin
from .features.customer_table import FEATURES
from .models import (
    CampaignVoucher,
    CustomerProfile,
    Segment,
    SegmentKind,
    SegmentMembership,
    SegmentMovement,
    SegmentRun,
)
from .queueing import enqueue
from .segments.export import csv_lines, segment_rows
from .segments.rules import (
    RULE_FIELDS,
    SYMBOLS,
    describe_conditions,
    format_condition,
    parse_conditions,
)
from .segments.vouchers import CAMPAIGN_HEADER, VoucherSet, campaign_rows, create_voucher_campaign

#: The django-q2 task behind the "Run segmentation now" button.
SEGMENT_TASK = "oscar_ai_crm.tasks.segment_customers"


def csv_response(rows: Iterable[Sequence[object]], filename: str) -> StreamingHttpResponse:
    """Stream rows (lists of cells) as a CSV download."""
    response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) >= 10 else f"{value:.3g}"
    return "–" if value is None else str(value)


def _ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def table_html(head: Sequence[object], rows: Iterable[Sequence[object]]) -> str:
    """A plain admin table of formatted (and escaped) cells."""
    cells = [[_fmt(cell) for cell in row] for row in rows]
    return render_to_string("admin/oscar_ai_crm/table.html", {"head": head, "rows": cells})


def persona_html(persona: dict) -> str:
    """A cluster's persona: size, top categories, feature means against the shop's."""
    means, relative = persona.get("means") or {}, persona.get("relative") or {}
    context = {
        "size": persona.get("size", "?"),
        "share": f"{100 * (persona.get('share') or 0):.0f}",
        "categories": [(n, f"{100 * s:.0f}") for n, s in persona.get("top_categories") or []],
        "description": persona.get("description", ""),
        "head": (_("feature"), _("segment mean"), _("× shop average")),
        "rows": [(n, _fmt(m), _ratio(relative.get(n))) for n, m in means.items()],
    }
    return render_to_string("admin/oscar_ai_crm/persona.html", context)


@admin.register(SegmentRun)
class SegmentRunAdmin(ReadOnlyAdmin):
    list_display = (
        "started_at",
        "status",
        "trigger",
        "duration_seconds",
        "peak_memory_mb",
        "n_customers",
        "n_events",
        "chosen_k",
        "silhouette",
    )
    list_filter = ("status", "trigger")
    readonly_fields = (
        "status",
        "trigger",
        "started_at",
        "finished_at",
        "duration_seconds",
        "peak_memory_mb",
        "n_customers",
        "n_events",
        "message",
        "metrics_json",
    )
    exclude = ("metrics",)
    change_list_template = "admin/oscar_ai_crm/segmentrun_change_list.html"

    def get_urls(self):
        run = self.admin_site.admin_view(self.queue_run)
        return [path("run/", run, name="oscar_ai_crm_segmentrun_run"), *super().get_urls()]

    def queue_run(self, request: HttpRequest) -> HttpResponseRedirect:
        if request.method == "POST" and self.has_view_permission(request):
            task_id = enqueue(SEGMENT_TASK, trigger="admin")
            self.message_user(request, _("Segmentation queued (task %s).") % task_id)
        return redirect("admin:oscar_ai_crm_segmentrun_changelist")

    @admin.display(description=_("k"))
    def chosen_k(self, run: SegmentRun) -> str:
        return _fmt((run.metrics or {}).get("k"))

    @admin.display(description=_("silhouette"))
    def silhouette(self, run: SegmentRun) -> str:
        metrics = run.metrics or {}
        by_k = metrics.get("silhouette_by_k") or {}
        return _fmt(metrics.get("silhouette", by_k.get(str(metrics.get("k")))))

    @admin.display(description=_("metrics"))
    def metrics_json(self, run: SegmentRun):
        return format_html("<pre>{}</pre>", json.dumps(run.metrics, indent=2, sort_keys=True))


class SegmentForm(forms.ModelForm):
    """Conditions are typed one per line (``monetary > 100``) and stored as JSON."""

    conditions = forms.CharField(
        label=_("conditions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_(
            "One condition per line: field operator value, e.g. “monetary > 100” and "
            "“recency_days > 90”. Operators: %(ops)s. Fields: %(fields)s. A customer "
            "without a score matches no condition on it."
        )
        % {"ops": " ".join(SYMBOLS.values()), "fields": ", ".join(RULE_FIELDS)},
    )

    class Meta:
        model = Segment
        fields = ("name", "slug", "description", "is_active", "match", "conditions")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.conditions and not self.is_bound:
            lines = [format_condition(c) for c in self.instance.conditions]
            self.initial["conditions"] = "\n".join(lines)

    def clean_conditions(self) -> list:
        return parse_conditions(self.cleaned_data["conditions"])  # Segment.clean() checks them


class VoucherCampaignForm(forms.Form):
    name = forms.CharField(label=_("campaign name"), max_length=100)
    benefit_type = forms.ChoiceField(
        label=_("discount"),
        choices=[
            ("percentage", _("a percentage off the basket's products")),
            ("fixed", _("a fixed amount off the basket's products")),
        ],
    )
    value = forms.DecimalField(label=_("value"), min_value=0.01, max_digits=12, decimal_places=2)
    start = forms.SplitDateTimeField(label=_("valid from"), widget=AdminSplitDateTime)
    end = forms.SplitDateTimeField(label=_("valid until"), widget=AdminSplitDateTime)


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    form = SegmentForm
    list_display = ("name", "kind", "member_count", "rule", "run", "is_active", "updated_at")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "slug", "description")
    list_select_related = ("run",)
    prepopulated_fields = {"slug": ("name",)}
    actions = ["export_members_csv", "create_voucher_campaign"]
    cluster_fields = ("kind", "name", "slug", "description", "persona_table", "run", "is_active")

    def get_fieldsets(self, request: HttpRequest, obj: Segment | None = None):
        tools = (_("Members"), {"fields": ("member_count", "tools")})
        if obj is not None and obj.kind == SegmentKind.CLUSTER:
            return [(None, {"fields": self.cluster_fields}), tools]
        rule = (_("Rule"), {"fields": ("match", "conditions")})
        main = (None, {"fields": ("name", "slug", "description", "is_active")})
        return [main, rule] + ([tools] if obj is not None else [])

    def get_readonly_fields(self, request: HttpRequest, obj: Segment | None = None):
        if obj is not None and obj.kind == SegmentKind.CLUSTER:
            return (*self.cluster_fields, "member_count", "tools")
        return ("member_count", "tools")

    def get_prepopulated_fields(self, request: HttpRequest, obj: Segment | None = None):
        cluster = obj is not None and obj.kind == SegmentKind.CLUSTER
        return {} if cluster else self.prepopulated_fields

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/export/", view(self.export_view), name="oscar_ai_crm_segment_export"),
            path(
                "<int:pk>/voucher-campaign/",
                view(self.voucher_campaign_view),
                name="oscar_ai_crm_segment_voucher_campaign",
            ),
            path(
                "<int:pk>/voucher-campaign/<int:set_pk>/codes/",
                view(self.campaign_codes_view),
                name="oscar_ai_crm_segment_campaign_codes",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=_("rule"))
    def rule(self, segment: Segment) -> str:
        return describe_conditions(segment.conditions, segment.match) or "–"

    @admin.display(description=_("persona"))
    def persona_table(self, segment: Segment):
        return persona_html(segment.persona) if segment.persona else "–"

    @admin.display(description=_("members and tools"))
    def tools(self, segment: Segment) -> str:
        return render_to_string("admin/oscar_ai_crm/segment_tools.html", {"segment": segment})

    def _one(self, request: HttpRequest, queryset) -> Segment | None:
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one segment."), messages.WARNING)
            return None
        return queryset.get()

    @admin.action(description=_("Export members as CSV"))
    def export_members_csv(self, request: HttpRequest, queryset):
        segment = self._one(request, queryset)
        return segment and self.export_view(request, segment.pk)

    @admin.action(description=_("Create voucher campaign"))
    def create_voucher_campaign(self, request: HttpRequest, queryset):
        if segment := self._one(request, queryset):
            return redirect("admin:oscar_ai_crm_segment_voucher_campaign", segment.pk)
        return None

    def _segment(self, request: HttpRequest, pk: int, *, change: bool = False) -> Segment:
        segment = get_object_or_404(Segment, pk=pk)
        allowed = self.has_change_permission if change else self.has_view_permission
        if not allowed(request, segment):
            raise PermissionDenied
        return segment

    def export_view(self, request: HttpRequest, pk: int) -> StreamingHttpResponse:
        segment = self._segment(request, pk)
        return csv_response(segment_rows(segment), f"segment-{segment.slug}.csv")

    def campaign_codes_view(self, request: HttpRequest, pk: int, set_pk: int):
        segment = self._segment(request, pk)
        voucher_set = get_object_or_404(VoucherSet, pk=set_pk)
        rows = chain([CAMPAIGN_HEADER], campaign_rows(voucher_set, segment))
        return csv_response(rows, f"vouchers-{set_pk}.csv")

    def voucher_campaign_view(self, request: HttpRequest, pk: int) -> Any:
        segment = self._segment(request, pk, change=True)
        now = timezone.now().replace(second=0, microsecond=0)
        form = VoucherCampaignForm(
            request.POST or None,
            initial={
                "name": f"{segment.name} {now:%Y-%m-%d}",
                "benefit_type": "percentage",
                "start": now,
                "end": now + timedelta(days=30),
            },
        )
        if request.method == "POST" and form.is_valid():
            try:
                voucher_set = create_voucher_campaign(segment, **form.cleaned_data)
            except ValueError as error:
                form.add_error(None, str(error))
            else:
                return self._campaign_created(request, segment, voucher_set)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Voucher campaign for %s") % segment.name,
            "opts": self.model._meta,
            "segment": segment,
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(
            request, "admin/oscar_ai_crm/segment_voucher_campaign.html", context
        )

    def _campaign_created(self, request: HttpRequest, segment: Segment, voucher_set):
        codes = reverse(
            "admin:oscar_ai_crm_segment_campaign_codes", args=[segment.pk, voucher_set.pk]
        )
        self.message_user(
            request,
            format_html(
                gettext(
                    "Created {} single-use voucher codes in the voucher set “{}”. "
                    '<a href="{}">Download the codes (CSV)</a>'
                ),
                voucher_set.count,
                voucher_set.name,
                codes,
            ),
            messages.SUCCESS,
        )
        return redirect("admin:oscar_ai_crm_segment_change", segment.pk)


@admin.register(SegmentMembership)
class SegmentMembershipAdmin(ReadOnlyAdmin):
    list_display = ("user", "segment", "since", "run")
    list_filter = ("segment", "since")
    date_hierarchy = "since"
    search_fields = ("user__email", "user__first_name", "user__last_name")
    list_select_related = ("user", "segment", "run")
    show_full_result_count = False


@admin.register(SegmentMovement)
class SegmentMovementAdmin(ReadOnlyAdmin):
    list_display = ("moved_at", "user", "from_segment", "to_segment", "run")
    list_filter = ("to_segment", "from_segment", "moved_at")
    date_hierarchy = "moved_at"
    search_fields = ("user__email", "user__first_name", "user__last_name")
    list_select_related = ("user", "from_segment", "to_segment", "run")
    show_full_result_count = False


@admin.register(CampaignVoucher)
class CampaignVoucherAdmin(ReadOnlyAdmin):
    list_display = ("voucher", "code", "user", "segment")
    list_filter = ("segment",)
    search_fields = ("user__email", "voucher__code", "voucher__voucher_set__name")
    list_select_related = ("voucher", "user", "segment")

    @admin.display(description=_("code"), ordering="voucher__code")
    def code(self, row: CampaignVoucher) -> str:
        return row.voucher.code


#: Read-only profile fields the segments add to the profile admin.
PROFILE_SCORE_FIELDS = (
    *("intent_score", "churn_score", "expected_next_order_at", "clv", "features_updated_at"),
    *("segments", "features_table"),
)


class SegmentedProfileAdmin(CustomerProfileAdmin):
    """The profile admin with the features and scores of the last segmentation run."""

    exclude = ("features",)

    def get_list_display(self, request: HttpRequest):
        return (*super().get_list_display(request), "intent_score", "churn_score")

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        return (*super().get_readonly_fields(request, obj), *PROFILE_SCORE_FIELDS)

    @admin.display(description=_("features"))
    def features_table(self, profile: CustomerProfile):
        values = profile.features or {}
        if not values:
            return "–"
        rows = ((name, values[name]) for name in FEATURES if name in values)
        return table_html((_("feature"), _("value")), rows)

    @admin.display(description=_("segments"))
    def segments(self, profile: CustomerProfile) -> str:
        memberships = SegmentMembership.objects.filter(user_id=profile.user_id)
        context = {"memberships": memberships.select_related("segment"), "user_id": profile.user_id}
        return render_to_string("admin/oscar_ai_crm/profile_segments.html", context)


admin.site.unregister(CustomerProfile)
admin.site.register(CustomerProfile, SegmentedProfileAdmin)
