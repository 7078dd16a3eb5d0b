"""manage.py crm_backfill: import the shop's existing history into the event log."""

import json
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from oscar_ai_crm.capture.backfill import backfill_history


class Command(BaseCommand):
    help = (
        "Import existing Oscar orders and lines, product reviews and Oscar analytics records "
        "into the CRM event log, then rebuild customer profiles. Safe to run again: "
        "records already imported are skipped."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--since", help="Only records from this date on (YYYY-MM-DD).")
        parser.add_argument(
            "--no-analytics",
            action="store_true",
            help="Skip Oscar's UserProductView / UserSearch records.",
        )
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--json", action="store_true", help="Print the summary as JSON.")

    def handle(self, *args, **options) -> None:
        since = _parse_date(options["since"]) if options["since"] else None
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        progress = None if options["json"] else self.stdout.write
        summary = backfill_history(
            since=since,
            include_analytics=not options["no_analytics"],
            batch_size=options["batch_size"],
            progress=progress,
        )
        if options["json"]:
            self.stdout.write(json.dumps(summary.as_dict()))
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Backfill done: {summary.as_dict()['total_inserted']} events inserted, "
                    f"{summary.profiles} profiles rebuilt."
                )
            )


def _parse_date(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--since {value!r} is not a date; use YYYY-MM-DD.") from None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed
