"""Test settings: the example shop's settings, made fast and deterministic.

SQLite in memory by default; ``DATABASE_URL`` (e.g. postgres://postgres@127.0.0.1:5432/test)
runs the suite on PostgreSQL instead, as .ci/run does.
"""

import os

import dj_database_url

from example_project.settings import *  # noqa: F403

DATABASES = {
    "default": dj_database_url.config(default="sqlite://:memory:")
    if os.environ.get("DATABASE_URL")
    else {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
Q_CLUSTER = {"name": "tests", "orm": "default", "sync": True, "timeout": 60, "retry": 120}
OSCAR_AI_CRM = {}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"oscar_ai_crm": {"handlers": ["console"], "level": "WARNING"}},
}
