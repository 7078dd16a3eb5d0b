"""Django admin: the event log (read-only) and customer profiles."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Q
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from .models import CustomerProfile, Event
from .queueing import enqueue


class ProductFilter(admin.SimpleListFilter):
    """Filter events by product id or UPC, typed in (a catalogue is too big for a list)."""

    title = _("product (id or UPC)")
    parameter_name = "product"
    template = "oscar_ai_crm/admin/input_filter.html"

    def lookups(self, request, model_admin):
        return [("", "")]  # unused: the template renders a text box

    def choices(self, changelist):
        """The other active filters, kept as hidden fields of the text box's form."""
        others = QueryDict(changelist.get_query_string(remove=[self.parameter_name])[1:])
        yield {"hidden": [(name, value) for name, values in others.lists() for value in values]}

    def queryset(self, request, queryset):
        value = (self.value() or "").strip()
        if not value:
            return queryset
        match = Q(product__upc=value)
        if value.isdigit():
            match |= Q(product_id=int(value))
        return queryset.filter(match)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "kind",
        "user",
        "product",
        "quantity",
        "value",
        "query",
        "order_number",
        "source",
    )
    list_filter = ("kind", "source", "created_at", ProductFilter)
    date_hierarchy = "created_at"
    search_fields = ("query", "order_number", "user__email", "product__title")
    list_select_related = ("user", "product")
    show_full_result_count = False  # no COUNT(*) over a large log on every page
    readonly_fields = [f.name for f in Event._meta.get_fields() if f.concrete]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CustomerProfile)
class CustomerProfileAdmin(admin.ModelAdmin):
    list_display = (
        "user",
        "last_seen_at",
        "view_count",
        "basket_add_count",
        "order_count",
        "total_spent",
        "last_order_at",
        "tracking_opted_out",
    )
    list_filter = ("tracking_opted_out", "last_order_at")
    search_fields = ("user__email", "user__first_name", "user__last_name")
    list_select_related = ("user",)
    readonly_fields = (
        "user",
        "first_seen_at",
        "last_seen_at",
        "view_count",
        "search_count",
        "basket_add_count",
        "order_count",
        "review_count",
        "total_spent",
        "last_order_at",
    )
    actions = ["rebuild_selected", "queue_backfill"]

    def has_add_permission(self, request) -> bool:
        return False  # profiles are created by capture

    @admin.action(description=_("Recount selected profiles from the event log"))
    def rebuild_selected(self, request, queryset) -> None:
        user_ids = list(queryset.values_list("user_id", flat=True))
        task_id = enqueue("oscar_ai_crm.tasks.rebuild_profiles", user_ids)
        self.message_user(request, _("Recount queued (task %s).") % task_id, messages.SUCCESS)

    @admin.action(description=_("Import the shop's order/review history (backfill)"))
    def queue_backfill(self, request, queryset) -> None:
        task_id = enqueue("oscar_ai_crm.tasks.backfill_history")
        self.message_user(request, _("Backfill queued (task %s).") % task_id, messages.SUCCESS)


# The other admin modules register theirs; imported last, as they import from this module.
from . import (  # noqa: E402,F401
    admin_content,  # product description drafts
    admin_marketing,  # marketing copy
    admin_recommendations,
    admin_segments,
    admin_support,  # knowledge base and the customer-service inbox
)
