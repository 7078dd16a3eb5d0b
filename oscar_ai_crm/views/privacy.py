"""A customer's own tracking preference, on their Oscar account pages."""

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from ..profiles.preferences import set_tracking_opt_out, tracking_opted_out


class TrackingPreferenceForm(forms.Form):
    allow_tracking = forms.BooleanField(
        required=False,
        label=_("Use my browsing and purchases to personalise this shop"),
        help_text=_(
            "When off, we stop recording what you view, search and buy for recommendations."
        ),
    )


class TrackingPreferenceView(LoginRequiredMixin, FormView):
    form_class = TrackingPreferenceForm
    template_name = "oscar_ai_crm/privacy.html"

    @property
    def customer_id(self) -> int:
        return cast(int, self.request.user.pk)  # LoginRequiredMixin: always a customer

    def get_initial(self) -> dict:
        return {"allow_tracking": not tracking_opted_out(self.customer_id)}

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context["page_title"] = _("Privacy")
        context["active_tab"] = "crm_privacy"
        return context

    def form_valid(self, form: TrackingPreferenceForm):
        opted_out = not form.cleaned_data["allow_tracking"]
        set_tracking_opt_out(self.customer_id, opted_out)
        messages.success(self.request, _("Your privacy preference was saved."))
        return super().form_valid(form)

    def get_success_url(self) -> str:
        return reverse("oscar_ai_crm:privacy")
