"""The help centre (the example shop's, example_project/demo/help_centre.json) and the
labelled questions (data/labelled_questions.json), loaded into the DB."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from oscar_ai_crm.models import KnowledgeArticle

DATA = Path(__file__).parent / "data"
HELP_CENTRE = Path(__file__).parents[2] / "example_project" / "demo" / "help_centre.json"
LABELLED = DATA / "labelled_questions.json"


def help_centre_entries() -> list[dict[str, Any]]:
    return json.loads(HELP_CENTRE.read_text(encoding="utf-8"))


def labelled_questions() -> list[dict[str, Any]]:
    return json.loads(LABELLED.read_text(encoding="utf-8"))["questions"]


def create_help_centre() -> dict[str, KnowledgeArticle]:
    """Every article of the help centre saved (published); slug -> article."""
    articles = [KnowledgeArticle(**entry) for entry in help_centre_entries()]
    KnowledgeArticle.objects.bulk_create(articles)  # bulk: no rebuild task per article
    return {article.slug: article for article in KnowledgeArticle.objects.all()}
