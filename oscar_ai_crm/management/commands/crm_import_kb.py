"""manage.py crm_import_kb FILE: import a help centre (JSON list of articles), upserting by slug."""

from django.core.management.base import BaseCommand, CommandError

from oscar_ai_crm.support.kb_io import KnowledgeBaseFileError, import_articles, read_file


class Command(BaseCommand):
    help = (
        "Import knowledge-base articles from a JSON file: a list of objects with title, "
        "body, language and optional slug, tags, category, is_published. Articles are "
        "created or updated by slug (default: the title slugified) and the search index "
        "is rebuilt once. Nothing is written when any entry is invalid."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="UTF-8 JSON file (the format crm_export_kb writes).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check the file and count changes only."
        )

    def handle(self, *args, **options) -> None:
        try:
            records = read_file(options["file"])
        except KnowledgeBaseFileError as error:
            problems = "\n".join(f"  {p}" for p in error.problems)
            raise CommandError(
                f"Nothing imported; fix these problems first:\n{problems}"
            ) from error
        summary = import_articles(records, dry_run=options["dry_run"])
        prefix = "Dry run, nothing written: would have " if options["dry_run"] else ""
        self.stdout.write(
            f"{prefix}{summary.created} created, {summary.updated} updated, "
            f"{summary.unchanged} unchanged."
        )
        if index := summary.index:
            self.stdout.write(
                f"Search index: {index.article_count} published articles, "
                f"{index.encoder} encoder, built {index.created_at:%Y-%m-%d %H:%M:%S}."
            )
