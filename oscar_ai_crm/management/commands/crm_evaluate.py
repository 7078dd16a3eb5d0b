"""manage.py crm_evaluate: offline top-N evaluation of the configured recommenders."""

from django.core.management.base import BaseCommand, CommandError

from oscar_ai_crm.conf import crm_settings
from oscar_ai_crm.evaluation.report import format_json, format_table
from oscar_ai_crm.evaluation.runner import NothingToEvaluate, evaluate_models
from oscar_ai_crm.evaluation.splits import make_split
from oscar_ai_crm.exceptions import ConfigurationError
from oscar_ai_crm.features.interaction_files import InteractionFileError, read_interactions_file
from oscar_ai_crm.recommenders.registry import build_recommenders

EXCLUDE = {"yes": True, "no": False, "both": None}


class Command(BaseCommand):
    help = (
        "Fit recommenders on the past and score their top-K on what customers bought next: "
        "on the shop's event log, or on an exported interaction CSV (see docs/evaluation.md)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--interactions", help="CSV(.gz) of user_id,item_id,timestamp,...")
        parser.add_argument("--item-text", help="CSV of item_id,text[,category][,available]")
        parser.add_argument("--models", help="Comma-separated aliases (default: all configured)")
        parser.add_argument("--k", type=int, help="Cut-off (default: EVALUATION['K'])")
        parser.add_argument("--test-fraction", type=float, help="Share of the timeline tested")
        parser.add_argument("--split", choices=["time", "leave-last-out"], default="time")
        parser.add_argument("--exclude-purchased", choices=list(EXCLUDE), default="both")
        parser.add_argument("--json", action="store_true", help="Print only JSON.")

    def handle(self, *args, **options) -> None:
        evaluation = crm_settings.RECOMMENDATIONS["EVALUATION"]
        k = evaluation["K"] if options["k"] is None else options["k"]
        fraction = options["test_fraction"]
        fraction = evaluation["TEST_FRACTION"] if fraction is None else fraction
        if k < 1 or not 0 < fraction < 1:
            raise CommandError("--k must be at least 1 and --test-fraction between 0 and 1.")
        aliases = [a.strip() for a in options["models"].split(",")] if options["models"] else None
        try:
            models = build_recommenders(aliases)
            interactions = self._interactions(options)
            split = make_split(
                interactions, options["split"], fraction, evaluation["TARGET_EVENTS"]
            )
            table = evaluate_models(models, split, k, EXCLUDE[options["exclude_purchased"]])
        except (InteractionFileError, ConfigurationError, NothingToEvaluate) as exc:
            raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(format_json(table))
        else:
            self.stdout.write(split.description + "\n")
            self.stdout.write(format_table(table))

    def _interactions(self, options):
        weights = crm_settings.RECOMMENDATIONS["EVENT_WEIGHTS"]
        if options["interactions"]:
            return read_interactions_file(options["interactions"], options["item_text"], weights)
        if options["item_text"]:
            raise CommandError("--item-text needs --interactions.")
        # Imported here: reading the event log needs the ORM, reading a file does not.
        from oscar_ai_crm.features.event_interactions import interactions_from_events

        return interactions_from_events()
