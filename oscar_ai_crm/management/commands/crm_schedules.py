"""manage.py crm_schedules: create or update our django-q2 schedules from settings."""

from django.core.management.base import BaseCommand

from oscar_ai_crm.schedules import ensure_schedules


class Command(BaseCommand):
    help = "Create, update or remove the django-q2 schedules oscar_ai_crm's settings ask for."

    def handle(self, *args, **options) -> None:
        for name, what in ensure_schedules().items():
            self.stdout.write(f"{name}: {what}")
