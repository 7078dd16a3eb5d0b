"""The one AppConfig of oscar_ai_crm."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from oscar.core.application import OscarConfig


class OscarAiCrmConfig(OscarConfig):
    default = True
    name = "oscar_ai_crm"
    label = "oscar_ai_crm"
    verbose_name = _("AI CRM")
    default_auto_field = "django.db.models.BigAutoField"
    namespace = "oscar_ai_crm"

    def ready(self) -> None:
        from . import checks  # noqa: F401  registers the system checks
        from .capture import receivers  # noqa: F401  connects the capture receivers
        from .views import privacy

        self.privacy_view = privacy.TrackingPreferenceView

    def get_urls(self) -> list:
        urls = [
            path("privacy/", self.privacy_view.as_view(), name="privacy"),
        ]
        return self.post_process_urls(urls)
