"""Fixtures of the support tests: a fresh search index per test, the help centre in the DB."""

from __future__ import annotations

import pytest

from oscar_ai_crm.support.retrieval import clear_loaded_index

from .kb import create_help_centre


@pytest.fixture(autouse=True)
def _fresh_search_index():
    """Each test loads the index of its own database (ids restart after rollbacks)."""
    clear_loaded_index()
    yield
    clear_loaded_index()


@pytest.fixture
def help_centre(db):
    """The 24 help-centre articles (12 en, 12 zh-hans); slug -> article. No index yet."""
    return create_help_centre()
