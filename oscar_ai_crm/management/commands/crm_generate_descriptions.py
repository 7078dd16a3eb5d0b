"""manage.py crm_generate_descriptions: write product description drafts now."""

import json

from django.core.management.base import BaseCommand, CommandError

from oscar_ai_crm.conf import crm_settings
from oscar_ai_crm.content.batches import (
    create_batches,
    parse_ids,
    run_batch,
    select_product_ids,
)
from oscar_ai_crm.models import BatchStatus, DescriptionDraft, GenerationBatch

COUNTS = ("created", "skipped", "flagged", "failed")


class Command(BaseCommand):
    help = (
        "Generate description drafts for products (by id, category or all) with an LLM "
        "backend. Drafts wait for review in the admin unless LLM AUTO_PUBLISH is on; "
        "products unchanged since their last draft are skipped."
    )

    def add_arguments(self, parser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--products", help="Product ids, comma-separated: 1,2,3.")
        which.add_argument("--category", help='A category name or path: "Books > Fiction".')
        which.add_argument("--all", action="store_true", help="Every product (not variants).")
        parser.add_argument("--backend", help="Backend alias (default: LLM BACKEND).")
        parser.add_argument("--tone", help="Tone (default: the first of LLM TONES).")
        parser.add_argument("--length", help="Length (default: medium or the first of LENGTHS).")
        parser.add_argument("--language", help="Language code (default: the first of LANGUAGES).")
        parser.add_argument("--keywords", default="", help="Keywords, comma-separated.")
        parser.add_argument("--force", action="store_true", help="Regenerate unchanged ones.")
        parser.add_argument("--json", action="store_true", help="Print a JSON summary only.")

    def handle(self, *args, **options) -> None:
        try:
            ids = parse_ids(options["products"]) if options["products"] is not None else None
            product_ids = select_product_ids(ids, options["category"], options["all"])
            batches = create_batches(product_ids, generation_options(options))
        except ValueError as error:
            raise CommandError(str(error)) from error
        progress = None if options["json"] else self.stdout.write
        runs = [run_batch(batch.pk, progress=progress) for batch in batches]
        summary = summarise(runs)
        if options["json"]:
            self.stdout.write(json.dumps(summary))
        else:
            self.stdout.write(", ".join(f"{summary[name]} {name}" for name in COUNTS))
        if broken := [run for run in runs if run.status == BatchStatus.FAILED]:
            errors = "; ".join(e["error"] for run in broken for e in run.errors)
            raise CommandError(f"{len(broken)} batch(es) could not run: {errors}")


def generation_options(options: dict) -> dict:
    """The command's options, unset ones filled from the LLM settings' first choices."""
    llm = crm_settings.LLM
    lengths = list(llm["LENGTHS"])
    return {
        "tone": options["tone"] or llm["TONES"][0],
        "length": options["length"] or ("medium" if "medium" in lengths else lengths[0]),
        "language": options["language"] or llm["LANGUAGES"][0],
        "keywords": options["keywords"],
        "backend": options["backend"],
        "force": options["force"],
    }


def summarise(batches: list[GenerationBatch]) -> dict:
    """Counts over the batches, their drafts and errors: {created, skipped, flagged, failed,
    drafts: [...], errors: [{product, error}]}."""
    summary: dict = {name: sum(getattr(b, name) for b in batches) for name in COUNTS}
    drafts = DescriptionDraft.objects.filter(batch__in=batches).order_by("pk")
    summary["drafts"] = [
        {
            "id": draft.pk,
            "product": draft.product_id,
            "status": draft.status,
            "backend": draft.backend,
            "model": draft.model,
            "flags": draft.flags,
            "error": draft.error,
        }
        for draft in drafts
    ]
    summary["errors"] = [error for batch in batches for error in batch.errors]
    return summary
