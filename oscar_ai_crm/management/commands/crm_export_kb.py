"""manage.py crm_export_kb [FILE]: the knowledge base as JSON, in crm_import_kb's format."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from oscar_ai_crm.support.kb_io import dump_articles, export_articles


class Command(BaseCommand):
    help = (
        "Export every knowledge-base article (published or not) as a UTF-8 JSON list that "
        "crm_import_kb reads back. Without FILE the JSON goes to standard output."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", nargs="?", help="Where to write (default: standard output).")

    def handle(self, *args, **options) -> None:
        entries = export_articles()
        text = dump_articles(entries)
        if not options["file"]:
            self.stdout.write(text, ending="")
            return
        try:
            Path(options["file"]).write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot write {options['file']}: {error}") from error
        self.stderr.write(f"{len(entries)} article(s) written to {options['file']}.")
