"""Knowledge-base import and export: validation, upsert by slug, one index build, round trip."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from oscar_ai_crm.models import KnowledgeArticle, KnowledgeIndex
from oscar_ai_crm.support.kb_io import KnowledgeBaseFileError, parse_articles

from .kb import HELP_CENTRE, help_centre_entries

pytestmark = pytest.mark.django_db

#: TF-IDF: these tests are about import and export, not about the encoder (a real one).
TFIDF = override_settings(OSCAR_AI_CRM={"SUPPORT": {"ENCODER": "tfidf"}})

CHINESE = [
    {"title": "退货政策", "body": "收到商品后30天内可以退货。", "language": "zh-hans"},
    {"title": "退货政策", "body": "礼品卡不能退货。", "language": "zh-hans", "tags": ["礼品卡"]},
    {"title": "Returns", "body": "Thirty days.", "language": "en", "category": "returns"},
    {"title": "Returns!", "body": "Again.", "language": "en", "slug": "returns-2"},
]


def write(tmp_path: Path, data, name: str = "kb.json") -> Path:
    path = tmp_path / name
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    return path


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_slugs_from_titles_keep_chinese_and_are_unique():
    records = parse_articles(CHINESE)
    assert [r.slug for r in records] == ["退货政策", "退货政策-2", "returns", "returns-2"]
    assert records[1].tags == ["礼品卡"] and records[2].category == "returns"
    assert records[0].category == "faq" and records[0].is_published is True
    # a derived slug never takes an explicit one of the same file
    swapped = parse_articles([CHINESE[2], {**CHINESE[3], "slug": "returns"}])
    assert [r.slug for r in swapped] == ["returns-2", "returns"]


def test_every_problem_is_reported_with_entry_and_field():
    entries = [
        {"title": "Fine", "body": "ok", "language": "en"},
        {"body": "no title", "language": "en"},
        {"title": "  ", "body": "", "language": 5},
        {"title": "x" * 201, "body": "b", "language": "en", "titel": "typo"},
        {"title": "Bad slug", "body": "b", "language": "en", "slug": "has space"},
        {"title": "t", "body": "b", "language": "en", "tags": "returns"},
        {"title": "t", "body": "b", "language": "en", "category": "jokes"},
        {"title": "t", "body": "b", "language": "en", "is_published": "yes"},
        "not an object",
        {"title": "t", "body": "b", "language": "en", "slug": "dup"},
        {"title": "t", "body": "b", "language": "en", "slug": "dup"},
    ]
    with pytest.raises(KnowledgeBaseFileError) as caught:
        parse_articles(entries)
    assert caught.value.problems == [
        "entry 2: title: required (a non-empty string)",
        "entry 3: title: required (a non-empty string)",
        "entry 3: body: required (a non-empty string)",
        "entry 3: language: required (a non-empty string)",
        "entry 4: titel: unknown field",
        "entry 4: title: longer than 200 characters",
        "entry 5: slug: letters, numbers, hyphens or underscores only",
        "entry 6: tags: must be a list of strings",
        "entry 7: category: one of policy, shipping, returns, payment, faq, other",
        "entry 8: is_published: must be true or false",
        "entry 9: must be an object with title, body and language",
        "entry 11: slug: 'dup' is also entry 10's",
    ]


@TFIDF
def test_import_creates_then_updates_and_builds_the_index_once(tmp_path):
    path = write(tmp_path, help_centre_entries())
    out = run("crm_import_kb", str(path))
    assert "24 created, 0 updated, 0 unchanged." in out
    assert "Search index: 24 published articles, tfidf encoder" in out
    assert KnowledgeIndex.objects.count() == 1  # no rebuild per saved article
    assert KnowledgeArticle.objects.get(slug="tui-huo-tui-kuan").language == "zh-hans"
    index = KnowledgeIndex.objects.get()

    assert "0 created, 0 updated, 24 unchanged." in run("crm_import_kb", str(path))
    assert KnowledgeIndex.objects.get() == index  # nothing changed: the same index

    entries = help_centre_entries()
    entries[0]["body"] += "\n\nGift wrapping is not refunded."
    entries[1]["is_published"] = False
    out = run("crm_import_kb", str(write(tmp_path, entries)))
    assert "0 created, 2 updated, 22 unchanged." in out
    newest = KnowledgeIndex.objects.order_by("-pk").first()
    assert newest != index and newest.article_count == 23
    assert "Gift wrapping" in KnowledgeArticle.objects.get(slug="returns-policy").body


@TFIDF
def test_dry_run_writes_nothing(tmp_path):
    out = run("crm_import_kb", str(HELP_CENTRE), "--dry-run")
    assert "Dry run, nothing written: would have 24 created, 0 updated, 0 unchanged." in out
    assert not KnowledgeArticle.objects.exists() and not KnowledgeIndex.objects.exists()


def test_a_bad_entry_stops_the_whole_import(tmp_path):
    entries = [*help_centre_entries(), {"title": "Half", "language": "en"}]
    with pytest.raises(CommandError) as caught:
        run("crm_import_kb", str(write(tmp_path, entries)))
    assert "Nothing imported" in str(caught.value)
    assert "entry 25: body: required" in str(caught.value)
    assert not KnowledgeArticle.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[{]", "is not valid UTF-8 JSON"),
        ('{"title": "x"}', "must hold a JSON list"),
        (None, "Cannot read"),
    ],
)
def test_unreadable_files(tmp_path, content, message):
    path = tmp_path / "missing.json" if content is None else write(tmp_path, content)
    with pytest.raises(CommandError, match=message):
        run("crm_import_kb", str(path))


def test_latin1_file_is_refused(tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes('[{"title": "Café", "body": "b", "language": "fr"}]'.encode("latin-1"))
    with pytest.raises(CommandError, match="not valid UTF-8 JSON"):
        run("crm_import_kb", str(path))


@TFIDF
def test_export_round_trips_with_chinese_kept_readable(tmp_path):
    run("crm_import_kb", str(write(tmp_path, [*CHINESE, *help_centre_entries()])))
    KnowledgeArticle.objects.filter(slug="returns").update(is_published=False, tags=["a", "b"])
    text = run("crm_export_kb")
    assert "退货政策" in text and "\\u" not in text  # ensure_ascii=False
    exported = json.loads(text)
    assert len(exported) == 28
    assert [e["slug"] for e in exported] == sorted(e["slug"] for e in exported)
    by_slug = {entry["slug"]: entry for entry in exported}
    assert by_slug["returns"] == {
        "title": "Returns",
        "body": "Thirty days.",
        "language": "en",
        "slug": "returns",
        "category": "returns",
        "tags": ["a", "b"],
        "is_published": False,
    }
    target = tmp_path / "export.json"
    run("crm_export_kb", str(target))
    assert json.loads(target.read_text(encoding="utf-8")) == exported
    assert "0 created, 0 updated, 28 unchanged." in run("crm_import_kb", str(target))

    KnowledgeArticle.objects.all().delete()
    assert "28 created" in run("crm_import_kb", str(target))
    assert json.loads(run("crm_export_kb")) == exported


def test_export_to_an_unwritable_place(tmp_path):
    with pytest.raises(CommandError, match="Cannot write"):
        run("crm_export_kb", str(tmp_path / "no" / "such" / "dir.json"))
