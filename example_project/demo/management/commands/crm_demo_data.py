"""``manage.py crm_demo_data``: fill an empty example shop with seeded demo data."""

import json
import warnings

from django.core.management.base import BaseCommand, CommandError, CommandParser

from example_project.demo.generator import (
    MIN_PRODUCTS,
    DemoDataError,
    check_sizes,
    flush_database,
    format_summary,
    generate_demo_shop,
)


class Command(BaseCommand):
    help = (
        "Fill an empty shop with a generated catalogue, customers and months of behaviour "
        "(views, searches, baskets, orders, reviews) sent through Oscar's real signals. "
        "The same --seed on an empty database gives the same shop. Refuses to run on a "
        "database that already holds products, orders or demo customers, unless --flush "
        "is given. Creates the staff account admin@example.com / admin."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=42, help="Random seed (default 42).")
        parser.add_argument("--customers", type=int, default=600, help="Default 600.")
        parser.add_argument(
            "--products", type=int, default=320, help=f"Default 320, at least {MIN_PRODUCTS}."
        )
        parser.add_argument("--months", type=int, default=9, help="History length, default 9.")
        parser.add_argument(
            "--flush",
            action="store_true",
            help="Empty the WHOLE database first (Django's flush: every table, not only "
            "demo rows), then generate.",
        )
        parser.add_argument("--json", action="store_true", help="Print the summary as JSON.")

    def handle(self, *args, **options) -> None:
        try:
            check_sizes(options["customers"], options["products"], options["months"])
            if options["flush"]:
                flush_database()
            with warnings.catch_warnings():
                # Haystack's simple backend warns on every product save (reviews re-rate).
                warnings.filterwarnings("ignore", "update is not implemented", UserWarning)
                summary = generate_demo_shop(
                    seed=options["seed"],
                    customers=options["customers"],
                    products=options["products"],
                    months=options["months"],
                    stdout=None if options["json"] else self.stdout,
                )
        except DemoDataError as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps(summary, indent=2))
        else:
            self.stdout.write(self.style.SUCCESS(format_summary(summary)))
