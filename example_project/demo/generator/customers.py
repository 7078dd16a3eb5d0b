"""Generated customers (names, emails, join dates), their hidden personas, the demo admin."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.sites.models import Site
from django.db.models import Model

from ..models import HiddenPersona
from .personas import Persona
from .vocabulary import EMAIL_DOMAINS, FIRST_NAMES, LAST_NAMES

ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "admin"
CUSTOMER_PASSWORD = "demo"
SITE_DOMAIN = "127.0.0.1:8000"


@dataclass(frozen=True)
class CustomerPlan:
    """One customer to create."""

    index: int
    persona: Persona
    first_name: str
    last_name: str
    email: str
    date_joined: datetime


def plan_customers(
    personas: Sequence[Persona], history_start: datetime, now: datetime, rng: random.Random
) -> list[CustomerPlan]:
    """Names, unique emails and join dates (new customers joined in the last four weeks)."""
    plans, emails = [], set()
    for index, persona in enumerate(personas):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = _unique_email(first, last, emails, rng)
        joined = _join_date(persona, history_start, now, rng)
        plans.append(CustomerPlan(index, persona, first, last, email, joined))
    return plans


def _unique_email(first: str, last: str, taken: set[str], rng: random.Random) -> str:
    local = f"{first}.{last}".lower().replace("'", "")
    domain = rng.choice(EMAIL_DOMAINS)
    email, n = f"{local}@{domain}", 1
    while email in taken:
        n += 1
        email = f"{local}{n}@{domain}"
    taken.add(email)
    return email


def _join_date(
    persona: Persona, history_start: datetime, now: datetime, rng: random.Random
) -> datetime:
    days = (now - history_start).days
    if persona.joined == "recent":
        offset = now - timedelta(days=rng.uniform(3, 27))
    elif persona.joined == "early":
        offset = history_start + timedelta(days=rng.uniform(-150, days * 0.2))
    elif rng.random() < 0.5:  # customers from before the history starts
        offset = history_start - timedelta(days=rng.uniform(1, 400))
    else:  # joined in the first third: established by now, unlike new customers
        offset = history_start + timedelta(days=rng.uniform(0, days * 0.35))
    return offset.replace(microsecond=0)


def create_customers(plans: Sequence[CustomerPlan], seed: int) -> list[Model]:
    """Bulk-create the customers (password ``demo``) and their hidden personas."""
    User = get_user_model()
    password = make_password(CUSTOMER_PASSWORD)
    users = User.objects.bulk_create(
        [
            User(
                username=f"customer{plan.index + 1:05d}",
                email=plan.email,
                first_name=plan.first_name,
                last_name=plan.last_name,
                date_joined=plan.date_joined,
                password=password,
                is_active=True,
            )
            for plan in plans
        ]
    )
    HiddenPersona.objects.bulk_create(
        [
            HiddenPersona(user=user, persona=plan.persona.name, seed=seed)
            for plan, user in zip(plans, users, strict=True)
        ]
    )
    return users


def create_admin_and_site() -> None:
    """The merchant's staff account and the site's local domain."""
    User = get_user_model()
    admin, _ = User.objects.get_or_create(
        username="admin",
        defaults={"email": ADMIN_EMAIL, "first_name": "Demo", "last_name": "Admin"},
    )
    admin.email, admin.is_staff, admin.is_superuser = ADMIN_EMAIL, True, True
    admin.set_password(ADMIN_PASSWORD)
    admin.save()
    site = Site.objects.get_current()
    site.domain, site.name = SITE_DOMAIN, "Oscar AI CRM demo shop"
    site.save()
    Site.objects.clear_cache()
