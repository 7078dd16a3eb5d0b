"""manage.py crm_train: train, evaluate and publish recommendations now."""

import json

from django.core.management.base import BaseCommand, CommandError

from oscar_ai_crm.models import RunStatus
from oscar_ai_crm.queueing import enqueue
from oscar_ai_crm.recommendations.training import train_recommendations


class Command(BaseCommand):
    help = (
        "Train the recommenders on the event log, evaluate them on a time split and publish "
        "the new lists if they are not worse than the serving ones."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--queue", action="store_true", help="Queue the training as a django-q2 task."
        )
        parser.add_argument("--json", action="store_true", help="Print the run as JSON.")

    def handle(self, *args, **options) -> None:
        if options["queue"]:
            task_id = enqueue("oscar_ai_crm.tasks.train_recommendations", trigger="command")
            self.stdout.write(f"Training queued (task {task_id}).")
            return
        progress = None if options["json"] else self.stdout.write
        run = train_recommendations(trigger="command", progress=progress)
        if options["json"]:
            fields = ("model", "status", "duration_seconds", "peak_memory_mb", "n_interactions")
            summary = {field: getattr(run, field) for field in fields}
            self.stdout.write(json.dumps({"run": run.pk, **summary, "metrics": run.metrics}))
        if run.status == RunStatus.FAILED:
            raise CommandError(f"Training failed: {run.message.splitlines()[0]}")
