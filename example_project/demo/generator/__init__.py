"""Fill an empty Oscar shop with months of realistic, seeded demo data.

The catalogue and customers are bulk-created; all behaviour (views, searches, basket
additions, logins, orders, reviews) goes through Oscar's real signals and order code,
so whatever listens to them (Oscar's analytics, oscar_ai_crm's capture layer) records
it as it would live. The same seed on an empty database gives the same shop.

Stages: plan the catalogue (:mod:`.catalogue_plan`) and customers (:mod:`.customers`)
with their hidden personas (:mod:`.personas`), write them, plan every visit
(:mod:`.behaviour`, :mod:`.anonymous`) and replay the visits in time order
(:mod:`.replay`).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TextIO

from django.db import transaction
from django.utils import timezone

from oscar_ai_crm.capture.writer import inline_writes
from oscar_ai_crm.profiles.activity import rebuild_activity

from .anonymous import plan_anonymous_visits
from .behaviour import plan_customer_visits
from .catalogue import build_catalogue
from .catalogue_plan import MIN_PRODUCTS, ProductPlan, plan_catalogue
from .customers import CustomerPlan, create_admin_and_site, create_customers, plan_customers
from .orders import create_voucher
from .personas import assign_personas
from .picker import ProductPicker
from .replay import Replayer
from .reset import DemoDataError, ShopNotEmpty, ensure_empty_shop, flush_database
from .summary import format_summary, summarise
from .visits import Visit

__all__ = [
    "MIN_PRODUCTS",
    "DemoDataError",
    "ShopNotEmpty",
    "check_sizes",
    "flush_database",
    "format_summary",
    "generate_demo_shop",
]

ANONYMOUS_VISITS_PER_CUSTOMER = 5
VISITS_PER_TRANSACTION = 400
DAYS_PER_MONTH = 30.4


def generate_demo_shop(
    seed: int = 42,
    customers: int = 600,
    products: int = 320,
    months: int = 9,
    stdout: TextIO | None = None,
) -> dict[str, Any]:
    """Generate the demo shop into an empty database; return a summary dict.

    Raises :class:`ShopNotEmpty` if the database already holds products, orders or
    demo customers, :class:`DemoDataError` for sizes :func:`check_sizes` refuses.
    Progress lines go to ``stdout`` when given.
    """
    check_sizes(customers, products, months)
    started = time.perf_counter()
    say = _progress(stdout, started)
    ensure_empty_shop()
    now = timezone.now().replace(microsecond=0)
    history_start = now - timedelta(days=round(months * DAYS_PER_MONTH))
    plans = plan_catalogue(products, random.Random(f"{seed}:catalogue"))
    personas = assign_personas(customers, random.Random(f"{seed}:personas"))
    people = plan_customers(personas, history_start, now, random.Random(f"{seed}:customers"))
    replayer = _create_shop(seed, plans, people, history_start)
    say(f"catalogue of {len(plans)} products and {len(people)} customers created")
    visits = plan_visits(seed, people, ProductPicker(plans), history_start, now)
    say(f"{len(visits)} visits planned; replaying them through Oscar's signals")
    with inline_writes():  # replayed history is written as it is sent, in time order
        _replay_all(replayer, visits, say)
    # Live capture keeps counters current cheaply; a recount settles any replay-order effects.
    say(f"{rebuild_activity()} customer profiles recounted from the event log")
    names = [person.persona.name for person in people]
    seconds = time.perf_counter() - started
    return summarise(seed, names, replayer.stats, replayer.orders_by_persona, seconds)


def check_sizes(customers: int, products: int, months: int) -> None:
    """Raise :class:`DemoDataError` unless every leaf category can get a product."""
    if products < MIN_PRODUCTS or customers < 1 or months < 1:
        raise DemoDataError(
            f"Need at least {MIN_PRODUCTS} products (one per category), 1 customer and 1 month."
        )


def _create_shop(
    seed: int, plans: list[ProductPlan], people: list[CustomerPlan], history_start: datetime
) -> Replayer:
    """Catalogue, customers, staff account and voucher, in one transaction."""
    with transaction.atomic():
        products = build_catalogue(plans, history_start - timedelta(days=30))
        users = create_customers(people, seed)
        create_admin_and_site()
        voucher = create_voucher(history_start - timedelta(days=1))
    return Replayer(plans, products, users, [p.persona.name for p in people], voucher)


def _replay_all(replayer: Replayer, visits: list[Visit], say: Callable[[str], None]) -> None:
    """Replay the visits in chunks of one transaction each (on SQLite, commits are slow)."""
    for first in range(0, len(visits), VISITS_PER_TRANSACTION):
        with transaction.atomic():
            for visit in visits[first : first + VISITS_PER_TRANSACTION]:
                replayer.replay(visit)
        if (first // VISITS_PER_TRANSACTION) % 5 == 4:
            say(f"{replayer.stats['visits']} visits, {replayer.stats['orders']} orders")


def plan_visits(
    seed: int,
    people: list[CustomerPlan],
    picker: ProductPicker,
    history_start: datetime,
    now: datetime,
) -> list[Visit]:
    """Every customer's and anonymous visitor's visit, in replay (time) order.

    Each customer has their own random stream, so their history does not depend on
    anyone else's.
    """
    visits: list[Visit] = []
    for person in people:
        rng = random.Random(f"{seed}:visits:{person.index}")
        visits += plan_customer_visits(person, picker, history_start, now, rng)
    anonymous = round(len(people) * ANONYMOUS_VISITS_PER_CUSTOMER)
    rng = random.Random(f"{seed}:anonymous")
    visits += plan_anonymous_visits(anonymous, picker, history_start, now, rng)
    visits.sort(key=lambda visit: visit.sort_key)
    return visits


def _progress(stdout: TextIO | None, started: float) -> Callable[[str], None]:
    def say(message: str) -> None:
        if stdout is not None:
            stdout.write(f"[{time.perf_counter() - started:6.1f} s] {message}\n")

    return say
