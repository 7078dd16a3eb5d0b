"""manage.py crm_generate_descriptions: selection, options, --json summary, bad arguments."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from oscar_ai_crm.models import DescriptionDraft, DraftStatus, GenerationBatch

from .conftest import RefusingServer, chat_backend, llm_settings, make_product

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("crm_generate_descriptions", *args, stdout=out)
    return out.getvalue()


def test_json_summary_of_created_skipped_flagged_and_failed(shirt):
    broken = make_product("Broken kettle", category="Kitchen")
    scarf = make_product("Wool scarf", category="Accessories", weight="90 g")

    def reply(body):
        return "<p>Only 75 g.</p>" if "Wool scarf" in str(body) else "<p>White linen.</p>"

    with RefusingServer(reply=reply) as server:
        with llm_settings(BACKENDS={"chat": chat_backend(server)}, CONCURRENCY=2):
            first = json.loads(run("--all", "--backend", "chat", "--tone", "playful", "--json"))
            second = json.loads(run("--all", "--backend", "chat", "--tone", "playful", "--json"))

    assert {k: first[k] for k in ("created", "skipped", "flagged", "failed")} == {
        "created": 2, "skipped": 0, "flagged": 1, "failed": 1
    }  # fmt: skip
    by_product = {draft["product"]: draft for draft in first["drafts"]}
    assert by_product[shirt.pk]["status"] == "draft" and by_product[shirt.pk]["flags"] == []
    assert by_product[shirt.pk]["backend"] == "chat" and by_product[shirt.pk]["model"]
    assert by_product[scarf.pk]["flags"][0]["claim"] == "75 g"
    assert by_product[broken.pk]["status"] == "failed" and "500" in by_product[broken.pk]["error"]
    assert first["errors"] == [{"product": broken.pk, "error": by_product[broken.pk]["error"]}]
    # The second run skips what is written and tries the failed product again.
    assert (second["created"], second["skipped"], second["failed"]) == (0, 2, 1)
    assert DescriptionDraft.objects.get(pk=by_product[shirt.pk]["id"]).tone == "playful"


def test_progress_lines_and_defaults_from_settings(shirt):
    with llm_settings():
        output = run("--products", str(shirt.pk), "--keywords", "linen, summer")

    assert f"Product {shirt.pk}: draft" in output and "1 created, 0 skipped" in output
    draft = DescriptionDraft.objects.get()
    assert (draft.tone, draft.length, draft.language) == ("professional", "medium", "en")
    assert draft.keywords == ["linen", "summer"] and draft.backend == "offline"


def test_force_and_category(shirt):
    make_product("Wool scarf", category="Accessories")
    with llm_settings():
        run("--category", "Clothing")
        again = json.loads(run("--category", "clothing > shirts", "--json"))
        forced = json.loads(run("--category", "Shirts", "--force", "--json"))

    assert (again["created"], again["skipped"]) == (0, 1)
    assert (forced["created"], forced["skipped"]) == (1, 0)
    assert DescriptionDraft.objects.filter(product=shirt, status=DraftStatus.DRAFT).count() == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--products", "1,x"], "whole numbers separated by commas, not 'x'"),
        (["--products", "999999"], "No product with id 999999"),
        (["--category", "Hats"], "No category named 'Hats'"),
        (["--all", "--tone", "grumpy"], "Unknown tone 'grumpy'"),
        (["--all", "--language", "fr"], "Unknown language 'fr'"),
        (["--all", "--backend", "gpt"], "Unknown backend 'gpt'"),
    ],
)
def test_bad_arguments_stop_with_a_clear_message(shirt, args, message):
    with llm_settings(), pytest.raises(CommandError, match=message):
        run(*args)
    assert not GenerationBatch.objects.exists()


def test_a_selection_is_required_and_exclusive(shirt):
    with pytest.raises(CommandError, match="one of the arguments"):
        run("--json")
    with pytest.raises(CommandError, match="not allowed with"):
        run("--all", "--products", "1")


def test_a_backend_that_cannot_be_built_fails_the_command(shirt):
    broken = {"CLASS": "oscar_ai_crm.llm.backends.openai_backend.OpenAIBackend",
              "OPTIONS": {"timeout": -1}}  # fmt: skip
    with llm_settings(BACKENDS={"broken": broken}), pytest.raises(CommandError, match="timeout"):
        run("--all", "--backend", "broken")
    assert GenerationBatch.objects.get().status == "failed"
