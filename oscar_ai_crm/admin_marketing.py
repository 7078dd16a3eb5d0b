"""Django admin for marketing copy: write, preview, edit, approve or reject, export.

"Write marketing copy" (a link on the changelist) generates one email for a segment or a
customer at once; the change page previews it personalised for a member, edits it and
approves or rejects it; an approved segment email exports as a personalised CSV mailing.
The workflow itself lives in :mod:`oscar_ai_crm.content.marketing`. See docs/marketing.md.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .admin_review import apply_to_each
from .admin_segments import csv_response
from .conf import crm_settings
from .content.marketing import (
    EDITABLE,
    approve_copy,
    edit_copy,
    first_member,
    personalise,
    reject_copy,
    segment_mailing_rows,
    write_customer_copy,
    write_segment_copy,
)
from .content.prompts import language_name
from .exceptions import ConfigurationError
from .llm.sanitize import plain_text, sanitize_html
from .models import CopyKind, CopyStatus, MarketingCopy, Segment

TEMPLATES = "admin/oscar_ai_crm/marketing/"
MAILING_HEADER = ("email", "subject", "banner", "body")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def find_customer(value: str) -> Any:
    """The customer with this id or email address; ``ValidationError`` otherwise."""
    value = (value or "").strip()
    users = get_user_model()._default_manager
    found = list(
        users.filter(pk=int(value)) if value.isdigit() else users.filter(email__iexact=value)
    )
    if len(found) != 1:
        raise forms.ValidationError(gettext("No single customer has the id or email %r.") % value)
    return found[0]


class WriteCopyForm(forms.Form):
    """One email for a segment or a customer, with the options of generated text."""

    kind = forms.ChoiceField(
        label=_("for"), widget=forms.RadioSelect, choices=CopyKind.choices, initial=CopyKind.SEGMENT
    )
    segment = forms.ModelChoiceField(
        label=_("segment"), queryset=Segment.objects.filter(is_active=True), required=False
    )
    customer = forms.CharField(label=_("customer"), required=False, help_text=_("id or email"))
    backend = forms.ChoiceField(label=_("backend"))
    tone = forms.ChoiceField(label=_("tone"))
    length = forms.ChoiceField(label=_("length"))
    language = forms.ChoiceField(label=_("language"))
    keywords = forms.CharField(label=_("keywords"), required=False, help_text=_("comma-separated"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        llm = crm_settings.LLM
        choices = {
            "backend": [(alias, alias) for alias in llm["BACKENDS"]],
            "tone": [(tone, tone) for tone in llm["TONES"]],
            "length": [(length, length) for length in llm["LENGTHS"]],
            "language": [(code, language_name(code)) for code in llm["LANGUAGES"]],
        }
        for name, values in choices.items():
            self.fields[name].choices = values  # type: ignore[attr-defined]
        self.initial.setdefault("backend", llm["BACKEND"])
        self.initial.setdefault("length", "medium" if "medium" in llm["LENGTHS"] else None)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("kind") == CopyKind.SEGMENT and not data.get("segment"):
            self.add_error("segment", gettext("Choose the segment to write for."))
        elif data.get("kind") == CopyKind.CUSTOMER:
            try:
                data["customer"] = find_customer(data.get("customer") or "")
            except forms.ValidationError as error:
                self.add_error("customer", error)
        return data

    def write(self, user: Any) -> MarketingCopy:
        """Generate the copy (``ValueError`` / ``ConfigurationError`` on bad options)."""
        data = self.cleaned_data
        options = {name: data[name] for name in ("tone", "length", "language", "keywords")}
        options.update(backend_alias=data["backend"], user=user)
        if data["kind"] == CopyKind.SEGMENT:
            return write_segment_copy(data["segment"], **options)
        return write_customer_copy(data["customer"], **options)


class CopyForm(forms.ModelForm):
    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        if not plain_text(sanitize_html(body)):
            raise forms.ValidationError(_("The body is empty once disallowed HTML is removed."))
        return body

    class Meta:
        model = MarketingCopy
        fields = ("subject", "banner", "body")
        widgets = {"body": forms.Textarea(attrs={"rows": 14, "cols": 90})}
        help_texts = {
            "body": _(
                "HTML; scripts and other disallowed tags are removed on save. {first_name} is "
                "replaced with each customer's first name."
            )
        }


@admin.register(MarketingCopy)
class MarketingCopyAdmin(admin.ModelAdmin):
    form = CopyForm
    list_display = (
        *("__str__", "status", "subject", "flag_count", "backend", "language", "tone"),
        "created_at",
    )
    list_filter = ("kind", "status", "backend", "is_template", "language", "tone", "created_at")
    search_fields = ("subject", "segment__name", "user__email")
    list_select_related = ("segment", "user")
    actions = ["approve_selected", "reject_selected", "export_mailing"]
    change_list_template = TEMPLATES + "copy_change_list.html"
    change_form_template = TEMPLATES + "copy_change_form.html"
    info_fields = (
        *("kind", "segment", "user", "status", "flag_list", "error", "tone", "length"),
        *("language", "backend", "model", "is_template", "prompt_version", "prompt_tokens"),
        *("completion_tokens", "redactions", "facts", "created_at", "created_by"),
        *("approved_by", "approved_at", "model_output"),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # copy is generated: see the "Write marketing copy" page

    def get_fields(self, request: HttpRequest, obj: MarketingCopy | None = None):
        return ("subject", "banner", "body", *self.info_fields)

    def get_readonly_fields(self, request: HttpRequest, obj: MarketingCopy | None = None):
        editable = obj is not None and obj.status in EDITABLE
        return self.info_fields if editable else ("subject", "banner", "body", *self.info_fields)

    def get_urls(self):
        write = self.admin_site.admin_view(self.write_view)
        mailing = self.admin_site.admin_view(self.mailing_view)
        return [
            path("write/", write, name="oscar_ai_crm_marketingcopy_write"),
            path("<int:pk>/mailing.csv", mailing, name="oscar_ai_crm_marketingcopy_mailing"),
            *super().get_urls(),
        ]

    @admin.display(description=_("flags"))
    def flag_count(self, copy: MarketingCopy) -> int:
        return len(copy.flags or [])

    @admin.display(description=_("flags"))
    def flag_list(self, copy: MarketingCopy) -> str:
        rows = [(f.get("claim"), f.get("kind"), f.get("reason")) for f in copy.flags or []]
        head = (_("claim"), _("kind"), _("reason"))
        return render_to_string("admin/oscar_ai_crm/table.html", {"head": head, "rows": rows})

    @admin.display(description=_("model output (as received)"))
    def model_output(self, copy: MarketingCopy) -> str:
        return render_to_string(TEMPLATES + "pre.html", {"text": copy.original_text})

    def change_view(self, request: HttpRequest, object_id: str, form_url="", extra_context=None):
        copy = self.get_object(request, object_id)
        if copy is not None:
            extra_context = {**(extra_context or {}), **preview_context(copy, request.GET)}
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: MarketingCopy, form, change: bool) -> None:
        if {"subject", "banner", "body"} & set(form.changed_data):
            texts = {name: form.cleaned_data[name] for name in ("subject", "banner", "body")}
            edit_copy(obj, **texts)

    def response_change(self, request: HttpRequest, obj: MarketingCopy) -> HttpResponse:
        for button, step in (
            ("_approve", self.approve_selected),
            ("_reject", self.reject_selected),
        ):
            if button in request.POST:
                step(request, MarketingCopy.objects.filter(pk=obj.pk))
                return redirect(reverse("admin:oscar_ai_crm_marketingcopy_change", args=[obj.pk]))
        return super().response_change(request, obj)

    def _each(self, request: HttpRequest, queryset, step, done_message: str) -> None:
        items = queryset.select_related("segment", "user")
        apply_to_each(self, request, items, step, done_message)

    @admin.action(description=_("Approve selected copy"), permissions=["change"])
    def approve_selected(self, request: HttpRequest, queryset) -> None:
        step = lambda copy: approve_copy(copy, request.user)  # noqa: E731
        self._each(request, queryset, step, gettext("Approved %(n)s copy."))

    @admin.action(description=_("Reject selected copy"), permissions=["change"])
    def reject_selected(self, request: HttpRequest, queryset) -> None:
        self._each(request, queryset, reject_copy, gettext("Rejected %(n)s copy."))

    @admin.action(description=_("Export the personalised mailing (CSV)"), permissions=["view"])
    def export_mailing(self, request: HttpRequest, queryset) -> HttpResponseBase | None:
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one segment email."), messages.WARNING)
            return None
        return self.mailing_view(request, queryset.get().pk)

    def mailing_view(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        """The approved segment email, personalised for each member, as CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        copy = get_object_or_404(MarketingCopy, pk=pk)
        if copy.kind != CopyKind.SEGMENT or copy.status != CopyStatus.APPROVED:
            text = gettext("Only an approved segment email can be exported: %s is not one.")
            self.message_user(request, text % copy, messages.WARNING)
            return redirect(reverse("admin:oscar_ai_crm_marketingcopy_change", args=[copy.pk]))
        rows = ([_defused(cell) for cell in row] for row in segment_mailing_rows(copy))
        return csv_response(chain([MAILING_HEADER], rows), f"mailing-{copy.pk}.csv")

    def write_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("oscar_ai_crm.add_marketingcopy"):
            raise PermissionDenied
        initial = {
            name: request.GET[name]
            for name in ("kind", "segment", "customer")
            if name in request.GET
        }
        form = WriteCopyForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                copy = form.write(request.user)
            except (ValueError, ConfigurationError) as error:
                form.add_error(None, str(error))
            else:
                if copy.status == CopyStatus.FAILED:
                    self.message_user(request, copy.error, messages.ERROR)
                else:
                    self.message_user(request, gettext("Written: %s.") % copy, messages.SUCCESS)
                return redirect(reverse("admin:oscar_ai_crm_marketingcopy_change", args=[copy.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Write marketing copy"),
            "opts": self.model._meta,
            "form": form,
        }
        return TemplateResponse(request, TEMPLATES + "write.html", context)


def preview_context(copy: MarketingCopy, query: Any) -> dict[str, Any]:
    """The copy personalised for ``?member=`` (id or email; a member of the copy's
    segment) or for :func:`first_member`, for the change page."""
    if copy.status == CopyStatus.FAILED:
        return {}
    member, error = first_member(copy), ""
    wanted = (query.get("member") or "").strip()
    if wanted and copy.kind == CopyKind.SEGMENT:
        try:
            member = find_customer(wanted)
        except forms.ValidationError as problem:
            member, error = None, " ".join(problem.messages)
        if (
            member is not None
            and not member.crm_segment_memberships.filter(segment=copy.segment_id).exists()
        ):
            member, error = None, gettext("%s is not a member of this segment.") % wanted
    texts = personalise(copy, member) if member is not None else None
    if texts is not None:
        texts["body"] = mark_safe(sanitize_html(texts["body"]))  # noqa: S308  sanitised just now
    return {
        "preview": texts,
        "preview_member": member,
        "preview_error": error,
        "member_query": wanted,
    }


def _defused(value: str) -> str:
    """A cell spreadsheets never run as a formula."""
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value
