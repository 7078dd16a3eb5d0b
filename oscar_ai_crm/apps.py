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
        from .support import login  # noqa: F401  conversations follow the visitor at login
        from .support import receivers as support_receivers  # noqa: F401  index rebuilds
        from .views import privacy, support

        self.privacy_view = privacy.TrackingPreferenceView
        self.support_page_view = support.SupportPageView
        self.support_messages_view = support.MessagesView
        self.support_conversation_view = support.ConversationView

    def get_urls(self) -> list:
        urls = [
            path("privacy/", self.privacy_view.as_view(), name="privacy"),
            path("support/", self.support_page_view.as_view(), name="support"),
            path(
                "support/messages/",
                self.support_messages_view.as_view(),
                name="support-messages",
            ),
            path(
                "support/conversations/<int:pk>/",
                self.support_conversation_view.as_view(),
                name="support-conversation",
            ),
        ]
        return self.post_process_urls(urls)
