"""Django admin of the customer-service assistant: knowledge base, its index, the staff inbox.

The inbox is the conversation list, filtered to "waiting for staff" by default. A
conversation's page shows the thread and a reply box; saving sends the reply
(:func:`~oscar_ai_crm.support.conversations.post_agent_reply`), which the customer sees
in the widget. See docs/support-admin.md.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import (
    Conversation,
    ConversationMessage,
    ConversationStatus,
    KnowledgeArticle,
    KnowledgeIndex,
    Sender,
)
from .queueing import enqueue
from .support.conversations import close_conversation, post_agent_reply, reopen_conversation
from .support.index_store import newest_index
from .support.receivers import REBUILD_TASK

SUPPORT_TEMPLATES = "admin/oscar_ai_crm/support/"


@admin.register(KnowledgeArticle)
class KnowledgeArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "language", "category", "is_published", "updated_at")
    list_filter = ("language", "category", "is_published", "updated_at")
    search_fields = ("title", "slug", "body")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("created_at", "updated_at")
    actions = ["rebuild_index"]
    change_list_template = SUPPORT_TEMPLATES + "article_change_list.html"

    def get_urls(self):
        rebuild = self.admin_site.admin_view(self.rebuild_index_view)
        name = "oscar_ai_crm_knowledgearticle_rebuild_index"
        return [path("rebuild-index/", rebuild, name=name), *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        index = newest_index(fields=("created_at", "encoder", "article_count"))
        extra = {"knowledge_index": index, **(extra_context or {})}
        return super().changelist_view(request, extra_context=extra)

    def queue_rebuild(self, request: HttpRequest) -> None:
        task_id = enqueue(REBUILD_TASK, force=True)  # asked for: even when nothing changed
        self.message_user(
            request, gettext("Search index rebuild queued (task %s).") % task_id, messages.SUCCESS
        )

    @admin.action(description=_("Rebuild the search index now (all published articles)"))
    def rebuild_index(self, request: HttpRequest, queryset: QuerySet) -> None:
        self.queue_rebuild(request)

    def rebuild_index_view(self, request: HttpRequest) -> HttpResponseRedirect:
        if request.method == "POST" and self.has_change_permission(request):
            self.queue_rebuild(request)
        return redirect("admin:oscar_ai_crm_knowledgearticle_changelist")


@admin.register(KnowledgeIndex)
class KnowledgeIndexAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "encoder",
        "article_count",
        "passage_count",
        "duration_seconds",
        "fingerprint",
    )
    fields = (
        *("created_at", "encoder", "article_count", "passage_count"),
        *("duration_seconds", "fingerprint"),
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).defer("embeddings")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # built by the rebuild task

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("passages"))
    def passage_count(self, index: KnowledgeIndex) -> int:
        return len(index.passages or [])


class InboxStatusFilter(admin.SimpleListFilter):
    """Status, "waiting for staff" unless another status (or all) is chosen."""

    title = _("status")
    parameter_name = "status"
    ALL = "all"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin):
        return ConversationStatus.choices

    def value(self) -> str:
        return super().value() or ConversationStatus.HANDED_OFF

    def choices(self, changelist) -> Any:
        for value, label in [(self.ALL, _("All")), *self.lookup_choices]:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        return queryset if value == self.ALL else queryset.filter(status=value)


class ConversationForm(forms.ModelForm):
    reply = forms.CharField(
        label=_("Reply to the customer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 90}),
        help_text=_(
            "Sent when you save: the customer sees it in the chat widget and on the "
            "support page, and the conversation leaves the inbox (answered by staff)."
        ),
    )

    class Meta:
        model = Conversation
        fields: tuple[str, ...] = ()


class MessageInline(admin.TabularInline):
    model = ConversationMessage
    verbose_name_plural = _("message details")
    fields = (
        *("created_at", "sender", "author", "text", "confidence", "intent"),
        *("handed_off", "backend", "cited"),
    )
    readonly_fields = fields
    extra = 0
    can_delete = False
    classes = ("collapse",)

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("articles cited"))
    def cited(self, message: ConversationMessage) -> str:
        return ", ".join(str(a.get("title", "")) for a in message.articles or []) or "–"


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    form = ConversationForm
    list_display = (
        *("__str__", "customer", "status", "last_message", "handoff_reason"),
        *("handed_off_at", "updated_at", "assigned_to"),
    )
    list_filter = (InboxStatusFilter, "language", "handed_off_at", "updated_at")
    search_fields = ("user__email", "messages__text")
    list_select_related = ("user", "assigned_to")
    inlines = [MessageInline]
    actions = ["close_selected", "reopen_selected"]
    info_fields = (
        *("customer", "status", "language", "handoff_reason", "handed_off_at"),
        *("assigned_to", "created_at", "updated_at"),
    )
    readonly_fields = (*info_fields, "thread")
    fieldsets = (
        (None, {"fields": info_fields}),
        (_("Conversation"), {"fields": ("thread",)}),
        (_("Reply"), {"fields": ("reply",)}),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # conversations are started by customers

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        messages = ConversationMessage.objects.filter(
            conversation=OuterRef("pk"), sender=Sender.CUSTOMER
        )
        latest = messages.order_by("-created_at", "-pk").values("text")[:1]
        return super().get_queryset(request).annotate(last_text=Subquery(latest))

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        waiting = Conversation.objects.filter(status=ConversationStatus.HANDED_OFF).count()
        title = gettext("Customer-service inbox: %(n)s waiting for staff") % {"n": waiting}
        extra = {"title": title, "waiting_count": waiting, **(extra_context or {})}
        return super().changelist_view(request, extra_context=extra)

    @admin.display(description=_("customer"), ordering="user__email")
    def customer(self, conversation: Conversation) -> str:
        user = conversation.user
        if user is None:
            return gettext("visitor %s") % (conversation.session_hash[:8] or "?")
        return user.email or user.get_username()

    @admin.display(description=_("customer's last message"))
    def last_message(self, conversation: Conversation) -> str:
        text = " ".join((getattr(conversation, "last_text", None) or "").split())
        return text if len(text) <= 80 else text[:79] + "…"

    @admin.display(description=_("thread"))
    def thread(self, conversation: Conversation) -> str:
        rows = conversation.messages.select_related("author")
        return render_to_string(SUPPORT_TEMPLATES + "thread.html", {"support_messages": rows})

    def save_model(self, request: HttpRequest, obj: Conversation, form, change: bool) -> None:
        text = (form.cleaned_data.get("reply") or "").strip()
        if text:
            post_agent_reply(obj, request.user, text)
            self.message_user(request, gettext("Your reply was sent to the customer."))

    @admin.action(description=_("Close selected conversations"), permissions=["change"])
    def close_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        conversations = list(queryset)  # the inbox filter would drop them once closed
        for conversation in conversations:
            close_conversation(conversation)
        self.message_user(request, gettext("Closed %s conversation(s).") % len(conversations))

    @admin.action(
        description=_("Reopen selected conversations (back to the inbox)"), permissions=["change"]
    )
    def reopen_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        conversations = list(queryset)
        for conversation in conversations:
            reopen_conversation(conversation)
        self.message_user(request, gettext("Reopened %s conversation(s).") % len(conversations))
