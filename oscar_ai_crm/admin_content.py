"""Django admin for generated product descriptions: review, edit, approve, publish.

Merchants generate drafts (the "Generate descriptions" page queues one django-q2 task per
batch), compare each draft with the product's current description, edit it, approve and
publish it; batches show their progress and errors; prompt templates are versioned. The
workflow itself lives in :mod:`oscar_ai_crm.content`. See docs/content.md.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from .admin_review import apply_to_each
from .conf import crm_settings
from .content.batches import create_batches, parse_ids, queue_batches, select_product_ids
from .content.product_facts import plain_text
from .content.prompts import (
    BUILT_IN,
    activate,
    active_prompt,
    language_name,
    save_version,
    template_error,
)
from .content.publishing import EDITABLE_STATUSES, approve, edit_text, publish
from .content.publishing import reject as reject_draft
from .llm.sanitize import sanitize_html
from .models import DescriptionDraft, GenerationBatch, PromptTemplate

CONTENT_TEMPLATES = "admin/oscar_ai_crm/content/"


def safe_html(html: str) -> str:
    """Sanitised HTML, marked safe for templates (the only way drafts reach a page)."""
    return mark_safe(sanitize_html(html or ""))  # noqa: S308  sanitised just now


class GenerateForm(forms.Form):
    """Which products, which backend, which options: one batch per ``BATCH_SIZE`` products."""

    scope = forms.ChoiceField(
        label=_("products"),
        widget=forms.RadioSelect,
        choices=[
            ("ids", _("these product ids")),
            ("category", _("the products of a category")),
            ("all", _("all products")),
        ],
        initial="ids",
    )
    product_ids = forms.CharField(label=_("product ids"), required=False, help_text="1, 2, 3")
    category = forms.CharField(
        label=_("category"), required=False, help_text=_('A name or a path: "Books > Fiction".')
    )
    backend = forms.ChoiceField(label=_("backend"))
    tone = forms.ChoiceField(label=_("tone"))
    length = forms.ChoiceField(label=_("length"))
    language = forms.ChoiceField(label=_("language"))
    keywords = forms.CharField(label=_("keywords"), required=False, help_text=_("comma-separated"))
    force = forms.BooleanField(
        label=_("regenerate unchanged products"),
        required=False,
        help_text=_("Otherwise products with a draft for the same data and options are skipped."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        llm = crm_settings.LLM
        lengths = llm["LENGTHS"]
        about = gettext("%(name)s (about %(words)s words)")
        choices = {
            "backend": [(alias, alias) for alias in llm["BACKENDS"]],
            "tone": [(tone, tone) for tone in llm["TONES"]],
            "length": [(n, about % {"name": n, "words": lengths[n]}) for n in lengths],
            "language": [(code, language_name(code)) for code in llm["LANGUAGES"]],
        }
        for name, values in choices.items():
            self.fields[name].choices = values  # type: ignore[attr-defined]
        self.initial.setdefault("backend", llm["BACKEND"])
        self.initial.setdefault("length", "medium" if "medium" in lengths else next(iter(lengths)))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        scope = data.get("scope")
        try:
            ids = parse_ids(data.get("product_ids") or "") if scope == "ids" else None
            data["ids"] = select_product_ids(
                ids,
                data.get("category") if scope == "category" else None,
                scope == "all",
            )
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error
        return data

    def generation_options(self) -> dict[str, Any]:
        names = ("tone", "length", "language", "keywords", "backend", "force")
        return {name: self.cleaned_data[name] for name in names}


class DraftForm(forms.ModelForm):
    def clean_text(self) -> str:
        text = self.cleaned_data["text"]
        if not plain_text(sanitize_html(text)):
            raise forms.ValidationError(
                _("The description is empty once disallowed HTML is removed.")
            )
        return text

    class Meta:
        model = DescriptionDraft
        fields = ("text",)
        widgets = {"text": forms.Textarea(attrs={"rows": 14, "cols": 90})}
        help_texts = {
            "text": _(
                "HTML. Allowed tags are kept (paragraphs, lists, emphasis...); anything "
                "else, scripts included, is removed on save."
            )
        }


@admin.register(DescriptionDraft)
class DescriptionDraftAdmin(admin.ModelAdmin):
    form = DraftForm
    list_display = (
        "product",
        "status",
        "backend",
        "model",
        "flag_count",
        "is_template",
        "language",
        "tone",
        "created_at",
    )
    list_filter = ("status", "backend", "is_template", "language", "tone", "created_at")
    search_fields = ("product__title", "product__upc")
    list_select_related = ("product",)
    actions = ["approve_selected", "reject_selected", "publish_selected"]
    change_list_template = CONTENT_TEMPLATES + "draft_change_list.html"
    change_form_template = CONTENT_TEMPLATES + "draft_change_form.html"
    info_fields = (
        *("product_link", "status", "comparison", "flag_list", "error"),
        *("tone", "length", "language", "keywords", "backend", "model", "is_template"),
        *("prompt_template", "prompt_version", "input_hash", "prompt_tokens"),
        *("completion_tokens", "redactions", "batch", "created_at", "created_by"),
        *("edited_by", "approved_by", "approved_at", "published_at", "model_output"),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # drafts are generated, see the "Generate descriptions" page

    def get_fields(self, request: HttpRequest, obj: DescriptionDraft | None = None):
        return ("text", *self.info_fields)

    def get_readonly_fields(self, request: HttpRequest, obj: DescriptionDraft | None = None):
        editable = obj is not None and obj.status in EDITABLE_STATUSES
        return self.info_fields if editable else ("text", *self.info_fields)

    def get_urls(self):
        generate = self.admin_site.admin_view(self.generate_view)
        name = "oscar_ai_crm_descriptiondraft_generate"
        return [path("generate/", generate, name=name), *super().get_urls()]

    @admin.display(description=_("flags"))
    def flag_count(self, draft: DescriptionDraft) -> int:
        return len(draft.flags or [])

    @admin.display(description=_("product"))
    def product_link(self, draft: DescriptionDraft) -> str:
        product = draft.product
        return format_html('<a href="{}">{}</a>', product.get_absolute_url(), product.get_title())

    @admin.display(description=_("current description and draft"))
    def comparison(self, draft: DescriptionDraft) -> str:
        context = {
            "current": safe_html(draft.product.description),
            "draft": safe_html(draft.text),
        }
        return render_to_string(CONTENT_TEMPLATES + "comparison.html", context)

    @admin.display(description=_("unsupported claims"))
    def flag_list(self, draft: DescriptionDraft) -> str:
        return render_to_string(CONTENT_TEMPLATES + "flags.html", {"flags": draft.flags or []})

    @admin.display(description=_("model output (as received)"))
    def model_output(self, draft: DescriptionDraft) -> str:
        return format_html("<pre style='white-space: pre-wrap'>{}</pre>", draft.original_text)

    def save_model(self, request: HttpRequest, obj: DescriptionDraft, form, change: bool) -> None:
        if "text" in form.changed_data:
            edit_text(obj, form.cleaned_data["text"], request.user)

    def response_change(self, request: HttpRequest, obj: DescriptionDraft) -> HttpResponse:
        steps = {"_approve": self.approve_selected, "_publish": self.publish_selected}
        steps["_reject"] = self.reject_selected
        for button, step in steps.items():
            if button in request.POST:
                step(request, DescriptionDraft.objects.filter(pk=obj.pk))
                return redirect(
                    reverse("admin:oscar_ai_crm_descriptiondraft_change", args=[obj.pk])
                )
        return super().response_change(request, obj)

    def _each(self, request: HttpRequest, queryset, step, done_message: str) -> None:
        apply_to_each(self, request, queryset.select_related("product"), step, done_message)

    @admin.action(description=_("Approve selected drafts"), permissions=["change"])
    def approve_selected(self, request: HttpRequest, queryset) -> None:
        step = lambda draft: approve(draft, request.user)  # noqa: E731
        self._each(request, queryset, step, gettext("Approved %(n)s draft(s)."))

    @admin.action(description=_("Reject selected drafts"), permissions=["change"])
    def reject_selected(self, request: HttpRequest, queryset) -> None:
        self._each(request, queryset, reject_draft, gettext("Rejected %(n)s draft(s)."))

    @admin.action(description=_("Publish selected approved drafts"), permissions=["change"])
    def publish_selected(self, request: HttpRequest, queryset) -> None:
        message = gettext("Published %(n)s description(s) on the product pages.")
        self._each(request, queryset, publish, message)

    def generate_view(self, request: HttpRequest) -> HttpResponse:
        if not request.user.has_perm("oscar_ai_crm.add_descriptiondraft"):
            raise PermissionDenied
        initial = {"product_ids": request.GET.get("ids", "")}
        form = GenerateForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():
                    batches = create_batches(
                        form.cleaned_data["ids"], form.generation_options(), request.user
                    )
                    queue_batches(batches)
            except ValueError as error:
                form.add_error(None, str(error))
            else:
                total = sum(batch.total for batch in batches)
                text = gettext("Queued %(batches)s batch(es) for %(products)s product(s).")
                self.message_user(request, text % {"batches": len(batches), "products": total})
                return redirect("admin:oscar_ai_crm_generationbatch_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Generate descriptions"),
            "opts": self.model._meta,
            "form": form,
            "batch_size": crm_settings.LLM["BATCH_SIZE"],
        }
        return TemplateResponse(request, CONTENT_TEMPLATES + "generate.html", context)


@admin.register(GenerationBatch)
class GenerationBatchAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "queued_at",
        "status",
        "progress",
        "created",
        "skipped",
        "flagged",
        "failed",
        "first_error",
        "backend",
        "created_by",
    )
    list_filter = ("status", "queued_at")
    list_select_related = ("created_by",)
    readonly_fields = (
        *("status", "progress", "created", "skipped", "flagged", "failed", "error_table"),
        *("options", "product_ids", "queued_at", "started_at", "finished_at", "created_by"),
        "drafts_link",
    )
    exclude = ("errors", "total", "done")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    @admin.display(description=_("progress"))
    def progress(self, batch: GenerationBatch) -> str:
        return f"{batch.done} / {batch.total}"

    @admin.display(description=_("first error"))
    def first_error(self, batch: GenerationBatch) -> str:
        errors = batch.errors or []
        if not errors:
            return "–"
        text = f"{errors[0].get('product') or '–'}: {errors[0].get('error', '')}"
        return text if len(text) <= 80 else text[:79] + "…"

    @admin.display(description=_("backend"))
    def backend(self, batch: GenerationBatch) -> str:
        return (batch.options or {}).get("backend") or "–"

    @admin.display(description=_("errors"))
    def error_table(self, batch: GenerationBatch) -> str:
        rows = [(e.get("product") or "–", e.get("error", "")) for e in batch.errors or []]
        if not rows:
            return "–"
        head = (_("product"), _("error"))
        return render_to_string("admin/oscar_ai_crm/table.html", {"head": head, "rows": rows})

    @admin.display(description=_("drafts"))
    def drafts_link(self, batch: GenerationBatch) -> str:
        url = reverse("admin:oscar_ai_crm_descriptiondraft_changelist")
        return format_html('<a href="{}?batch__id__exact={}">{}</a>', url, batch.pk, _("List"))


class PromptTemplateForm(forms.ModelForm):
    task = forms.ChoiceField(label=_("task"), choices=[(task, task) for task in BUILT_IN])

    class Meta:
        model = PromptTemplate
        fields = ("task", "name", "system_template", "user_template", "is_active")
        widgets = {
            "system_template": forms.Textarea(attrs={"rows": 10, "cols": 100}),
            "user_template": forms.Textarea(attrs={"rows": 14, "cols": 100}),
        }

    def clean(self) -> dict[str, Any]:
        """Both templates must compile and render with a sample product."""
        super().clean()
        for name in ("system_template", "user_template"):
            if error := template_error(self.cleaned_data.get(name) or ""):
                self.add_error(name, gettext("Template error: %s") % error)
        return self.cleaned_data


#: An edit of any of these fields saves a new version; name and activity change in place.
VERSIONED_FIELDS = ("task", "system_template", "user_template")


@admin.register(PromptTemplate)
class PromptTemplateAdmin(admin.ModelAdmin):
    form = PromptTemplateForm
    list_display = ("name", "task", "version", "is_active", "created_at", "created_by")
    list_filter = ("task", "is_active")
    readonly_fields = ("version", "created_at", "created_by")
    actions = ["activate_selected"]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        """A new template starts from the active prompt's text (or the built-in one)."""
        prompt = active_prompt()
        return {
            "task": prompt.task,
            "name": gettext("Product descriptions"),
            "system_template": prompt.system,
            "user_template": prompt.user,
        }

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        used = obj is not None and obj.drafts.exists()
        return not used and super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: PromptTemplate, form, change: bool) -> None:
        """An edit of the prompt's text is saved as a new version."""
        versioned = not change or bool(set(VERSIONED_FIELDS) & set(form.changed_data))
        save_version(obj, new_version=versioned, user=request.user)

    @admin.action(description=_("Use the selected version for new drafts"))
    def activate_selected(self, request: HttpRequest, queryset) -> None:
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one version."), messages.WARNING)
            return
        template = queryset.get()
        activate(template)
        self.message_user(request, _("%s is now active.") % template, messages.SUCCESS)


@admin.action(description=_("Write description drafts for the selected products"))
def write_description_drafts(modeladmin, request: HttpRequest, queryset) -> HttpResponse:
    """Oscar's product list -> the "Generate descriptions" form with these products filled in."""
    ids = ",".join(str(pk) for pk in queryset.values_list("pk", flat=True))
    return redirect(f"{reverse('admin:oscar_ai_crm_descriptiondraft_generate')}?ids={ids}")


Product = get_model("catalogue", "Product")


def _add_product_action() -> None:
    """Offer the action on the Product admin Oscar registers (when it is registered)."""
    product_admin = admin.site._registry.get(Product)
    if product_admin is not None and write_description_drafts not in (product_admin.actions or []):
        product_admin.actions = [*(product_admin.actions or []), write_description_drafts]


_add_product_action()
