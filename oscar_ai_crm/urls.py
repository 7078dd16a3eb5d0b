"""Include with ``path("crm/", include("oscar_ai_crm.urls"))``."""

from typing import cast

from django.apps import apps

from .apps import OscarAiCrmConfig

app_name = "oscar_ai_crm"
urlpatterns = cast(OscarAiCrmConfig, apps.get_app_config("oscar_ai_crm")).get_urls()
