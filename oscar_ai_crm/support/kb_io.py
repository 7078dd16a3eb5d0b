"""Knowledge-base import and export: a JSON list of articles, upserted by slug.

The format (docs/support-admin.md)::

    [{"title": "...", "body": "...", "language": "en", "slug": "...", "tags": ["..."],
      "category": "returns", "is_published": true}, ...]

``title``, ``body`` and ``language`` are required. Every entry is checked before
anything is written; one bad entry stops the import and every problem is reported with
its entry number and field. Exports write the same format, so a file round-trips.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_unicode_slug
from django.db import transaction
from django.utils.text import slugify

from ..models import ArticleCategory, KnowledgeArticle, KnowledgeIndex
from .index_store import rebuild_index
from .receivers import suppress_index_rebuilds

REQUIRED = ("title", "body", "language")
OPTIONAL = ("slug", "tags", "category", "is_published")
#: Longest values the model accepts.
MAX_LENGTHS = {"title": 200, "slug": 200, "language": 16}


class KnowledgeBaseFileError(ValueError):
    """An import file that cannot be imported; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ArticleRecord:
    """One article of an import or export file, validated."""

    title: str
    body: str
    language: str
    slug: str
    category: str = ArticleCategory.FAQ.value
    tags: list[str] = field(default_factory=list)
    is_published: bool = True

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ImportSummary:
    """What an import did (or, for a dry run, would do); ``index``: the index then served."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    index: KnowledgeIndex | None = None


def read_file(path: str | Path) -> list[ArticleRecord]:
    """The validated articles of a JSON file (UTF-8), or :class:`KnowledgeBaseFileError`."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except OSError as error:
        raise KnowledgeBaseFileError([f"Cannot read {path}: {error.strerror or error}"]) from error
    except ValueError as error:  # JSONDecodeError, UnicodeDecodeError
        raise KnowledgeBaseFileError([f"{path} is not valid UTF-8 JSON: {error}"]) from error
    return parse_articles(data)


def parse_articles(data: Any) -> list[ArticleRecord]:
    """Validate every entry of ``data`` (a list of objects) and give each a unique slug."""
    if not isinstance(data, list):
        raise KnowledgeBaseFileError(["The file must hold a JSON list of article objects."])
    problems: list[str] = []
    for number, entry in enumerate(data, start=1):
        problems.extend(f"entry {number}: {p}" for p in entry_problems(entry))
    problems.extend(duplicate_slug_problems(data))
    if problems:
        raise KnowledgeBaseFileError(problems)
    slugs = assign_slugs(data)
    return [record_of(entry, slug) for entry, slug in zip(data, slugs, strict=True)]


def entry_problems(entry: Any) -> list[str]:
    """What is wrong with one entry, as "field: problem" texts."""
    if not isinstance(entry, dict):
        return ["must be an object with title, body and language"]
    problems = [f"{name}: unknown field" for name in entry if name not in REQUIRED + OPTIONAL]
    for name in REQUIRED:
        value = entry.get(name)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{name}: required (a non-empty string)")
    for name, limit in MAX_LENGTHS.items():
        value = entry.get(name)
        if isinstance(value, str) and len(value.strip()) > limit:
            problems.append(f"{name}: longer than {limit} characters")
    return problems + optional_problems(entry)


def optional_problems(entry: dict[str, Any]) -> list[str]:
    problems = []
    slug = entry.get("slug")
    if slug is not None:
        try:
            validate_unicode_slug(slug if isinstance(slug, str) else "")
        except ValidationError:
            problems.append("slug: letters, numbers, hyphens or underscores only")
    tags = entry.get("tags")
    if tags is not None and not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
        problems.append("tags: must be a list of strings")
    category = entry.get("category")
    if category is not None and category not in ArticleCategory.values:
        problems.append(f"category: one of {', '.join(ArticleCategory.values)}")
    published = entry.get("is_published")
    if published is not None and not isinstance(published, bool):
        problems.append("is_published: must be true or false")
    return problems


def duplicate_slug_problems(data: list[Any]) -> list[str]:
    """Explicit slugs used by two entries (the second would overwrite the first)."""
    first: dict[str, int] = {}
    problems = []
    for number, entry in enumerate(data, start=1):
        slug = entry.get("slug") if isinstance(entry, dict) else None
        if not isinstance(slug, str) or not slug:
            continue
        if slug in first:
            problems.append(f"entry {number}: slug: {slug!r} is also entry {first[slug]}'s")
        first.setdefault(slug, number)
    return problems


def assign_slugs(data: list[dict[str, Any]]) -> list[str]:
    """Each entry's slug: its own, else its title slugified (Unicode kept), made unique.

    Derived slugs never take an explicit slug of the file; the same file always gives
    the same slugs, so importing it again updates the same articles.
    """
    taken = {entry["slug"] for entry in data if entry.get("slug")}
    slugs = []
    for entry in data:
        slug = entry.get("slug")
        if not slug:
            slug = unique_slug(slugify(entry["title"].strip(), allow_unicode=True), taken)
            taken.add(slug)
        slugs.append(slug)
    return slugs


def unique_slug(base: str, taken: set[str]) -> str:
    base = (base or "article")[: MAX_LENGTHS["slug"]].strip("-") or "article"
    slug, n = base, 1
    while slug in taken:
        n += 1
        suffix = f"-{n}"
        slug = base[: MAX_LENGTHS["slug"] - len(suffix)] + suffix
    return slug


def record_of(entry: dict[str, Any], slug: str) -> ArticleRecord:
    published = entry.get("is_published")
    return ArticleRecord(
        title=entry["title"].strip(),
        body=entry["body"].strip(),
        language=entry["language"].strip(),
        slug=slug,
        category=entry.get("category") or ArticleCategory.FAQ.value,
        tags=list(entry.get("tags") or []),
        is_published=True if published is None else published,
    )


def import_articles(records: list[ArticleRecord], *, dry_run: bool = False) -> ImportSummary:
    """Create or update each article by slug, in one transaction; rebuild the index once.

    The per-article index rebuild receivers are suppressed during the import; the index
    is then rebuilt synchronously (a no-op when no published article changed and the
    index is current). ``dry_run`` counts what would change and writes nothing.
    """
    summary = ImportSummary()
    with transaction.atomic(), suppress_index_rebuilds():
        existing = KnowledgeArticle.objects.in_bulk([r.slug for r in records], field_name="slug")
        for record in records:
            article = existing.get(record.slug)
            if article is None:
                summary.created += 1
                if not dry_run:
                    KnowledgeArticle.objects.create(**asdict(record))
            elif has_changes(article, record):
                summary.updated += 1
                if not dry_run:
                    update_article(article, record)
            else:
                summary.unchanged += 1
    if not dry_run:
        summary.index = rebuild_index()
    return summary


def has_changes(article: KnowledgeArticle, record: ArticleRecord) -> bool:
    return any(getattr(article, name) != value for name, value in asdict(record).items())


def update_article(article: KnowledgeArticle, record: ArticleRecord) -> None:
    for name, value in asdict(record).items():
        setattr(article, name, value)
    article.save()


def export_articles() -> list[dict[str, Any]]:
    """Every article (published or not) in the import format, by slug."""
    articles = KnowledgeArticle.objects.order_by("slug")
    return [record_from_article(article).as_json() for article in articles]


def record_from_article(article: KnowledgeArticle) -> ArticleRecord:
    return ArticleRecord(
        title=article.title,
        body=article.body,
        language=article.language,
        slug=article.slug,
        category=article.category,
        tags=list(article.tags or []),
        is_published=article.is_published,
    )


def dump_articles(entries: list[dict[str, Any]]) -> str:
    """The export file's text: UTF-8 JSON, non-ASCII kept readable."""
    return json.dumps(entries, ensure_ascii=False, indent=2) + "\n"
