"""Include with ``path("crm/", include("oscar_ai_crm.urls"))``."""

from django.apps import apps

app_name = "oscar_ai_crm"
urlpatterns = apps.get_app_config("oscar_ai_crm").get_urls()
