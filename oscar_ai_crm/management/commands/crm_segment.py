"""manage.py crm_segment: compute customer features, segments and scores now."""

import json

from django.core.management.base import BaseCommand, CommandError

from oscar_ai_crm.models import SegmentRunStatus
from oscar_ai_crm.queueing import enqueue
from oscar_ai_crm.segments.agreement import run_figures
from oscar_ai_crm.segments.running import run_segmentation


class Command(BaseCommand):
    help = (
        "Compute every customer's features (RFM and behaviour), find K-means segments with "
        "personas, evaluate rule segments, train purchase-intent and churn models, and "
        "publish the results."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--queue", action="store_true", help="Queue the run as a django-q2 task."
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help="Print the run's figures as JSON (k, silhouette, segments, AUCs, agreement).",
        )

    def handle(self, *args, **options) -> None:
        if options["queue"]:
            task_id = enqueue("oscar_ai_crm.tasks.segment_customers", trigger="command")
            self.stdout.write(f"Segmentation queued (task {task_id}).")
            return
        progress = None if options["json"] else self.stdout.write
        run = run_segmentation(trigger="command", progress=progress)
        if run.status == SegmentRunStatus.FAILED:
            raise CommandError(f"Segmentation failed: {run.message.splitlines()[0]}")
        figures = run_figures(run)
        if options["json"]:
            self.stdout.write(json.dumps(figures))
            return
        for persona in figures["personas"]:
            self.stdout.write(f"  {persona['name']}: {persona['description']}")
        for name, value in figures["agreement"].items():
            if value is not None:
                self.stdout.write(f"Agreement, {name.replace('_', ' ')}: {value}")
