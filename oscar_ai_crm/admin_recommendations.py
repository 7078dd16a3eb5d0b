"""Django admin for recommender runs and the lists they serve (read-only)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from .models import ModelRun, ProductRecommendation, Recommendation
from .queueing import enqueue

METRIC_COLUMNS = ("precision", "recall", "ndcg", "map", "hit_rate", "coverage", "fit_seconds")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(ModelRun)
class ModelRunAdmin(ReadOnlyAdmin):
    list_display = (
        "started_at",
        "model",
        "status",
        "trigger",
        "duration_seconds",
        "peak_memory_mb",
        "n_interactions",
        "headline_metric",
    )
    list_filter = ("status", "model", "trigger")
    readonly_fields = (
        "model",
        "model_class",
        "status",
        "trigger",
        "started_at",
        "finished_at",
        "duration_seconds",
        "peak_memory_mb",
        "n_users",
        "n_items",
        "n_interactions",
        "evaluation_table",
        "message",
        "parameters",
    )
    exclude = ("metrics",)
    change_list_template = "oscar_ai_crm/admin/modelrun_change_list.html"

    def get_urls(self):
        train = self.admin_site.admin_view(self.queue_training)
        return [path("train/", train, name="oscar_ai_crm_modelrun_train"), *super().get_urls()]

    def queue_training(self, request: HttpRequest) -> HttpResponseRedirect:
        if request.method == "POST" and self.has_view_permission(request):
            task_id = enqueue("oscar_ai_crm.tasks.train_recommendations", trigger="admin")
            self.message_user(request, _("Training queued (task %s).") % task_id, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:oscar_ai_crm_modelrun_changelist"))

    @admin.display(description=_("NDCG@k"))
    def headline_metric(self, run: ModelRun) -> str:
        for row in (run.metrics or {}).get("rows", []):
            if row.get("model") == "candidate" and row.get("ndcg") is not None:
                return f"{row['ndcg']:.4f}"
        return "–"

    @admin.display(description=_("evaluation"))
    def evaluation_table(self, run: ModelRun) -> str:
        rows = (run.metrics or {}).get("rows") or []
        if not rows:
            return "–"
        head = format_html_join("", "<th>{}</th>", ((c,) for c in ("model", *METRIC_COLUMNS)))
        body = format_html_join(
            "",
            "<tr><td>{}</td>{}</tr>",
            (
                (
                    row.get("model"),
                    format_html_join(
                        "", "<td>{}</td>", ((_fmt(row.get(c)),) for c in METRIC_COLUMNS)
                    ),
                )
                for row in rows
            ),
        )
        split = (run.metrics or {}).get("split", {}).get("description", "")
        return format_html("<p>{}</p><table><tr>{}</tr>{}</table>", split, head, body)


def _fmt(value) -> str:
    return "–" if value is None else f"{value:.4f}" if isinstance(value, float) else str(value)


@admin.register(Recommendation)
class RecommendationAdmin(ReadOnlyAdmin):
    list_display = ("user", "rank", "product", "score", "reason", "reason_product", "run")
    list_filter = ("reason",)
    search_fields = ("user__email", "product__title", "product__upc")
    list_select_related = ("user", "product", "reason_product", "run")
    show_full_result_count = False


@admin.register(ProductRecommendation)
class ProductRecommendationAdmin(ReadOnlyAdmin):
    list_display = ("kind", "source", "rank", "product", "score", "run")
    list_filter = ("kind",)
    search_fields = ("source__title", "source__upc", "product__title")
    list_select_related = ("source", "product", "run")
    show_full_result_count = False
