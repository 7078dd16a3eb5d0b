"""Run one oscar_ai_crm task through a real django-q2 cluster and broker; print the result.

Used by test_task_brokers.py in a subprocess (the cluster forks workers that need a
database file, not the test runner's in-memory one). The broker comes from the example
shop's settings: the ORM broker, or Redis when Q_REDIS_URL is set.
"""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_project.settings")
django.setup()

from decimal import Decimal  # noqa: E402

from django.test import override_settings  # noqa: E402
from django_q.brokers import get_broker  # noqa: E402
from django_q.cluster import Cluster  # noqa: E402
from django_q.tasks import result  # noqa: E402
from oscar.test import factories  # noqa: E402

from oscar_ai_crm.models import CustomerProfile, Event, ModelRun, Recommendation  # noqa: E402
from oscar_ai_crm.queueing import enqueue  # noqa: E402


def make_history() -> int:
    """Two orders placed before capture was on: only a backfill can count them."""
    customer = factories.UserFactory()
    product = factories.create_product(title="Broker test shirt")
    factories.create_stockrecord(product, price=Decimal("10.00"), num_in_stock=10)
    with override_settings(OSCAR_AI_CRM={"CAPTURE": {"ENABLED": False}}):
        for _ in range(2):
            basket = factories.create_basket(empty=True)
            basket.add_product(product)
            factories.create_order(user=customer, basket=basket)
    return customer.pk


def make_events() -> None:
    """Customers who buy one product go on to buy another; the last four have not yet."""
    from datetime import timedelta

    from django.utils import timezone

    products = [factories.create_product(title=f"Broker product {n}") for n in range(4)]
    for item in products:
        factories.create_stockrecord(item, price=Decimal("5.00"), num_in_stock=10)
    start = timezone.now() - timedelta(days=40)
    events = []
    for n in range(20):
        customer = factories.UserFactory()
        first, second = products[n % 2], products[2 + n % 2]
        purchases = ((n, first), (n + 15, second)) if n < 16 else ((n, first),)
        for offset, item in purchases:
            when = start + timedelta(days=offset)
            events.append(Event(kind="purchase", user=customer, product=item, created_at=when))
    Event.objects.bulk_create(events)


def run_task(task: str, **kwargs) -> tuple[str, object]:
    broker = get_broker()
    task_id = enqueue(task, **kwargs)
    cluster = Cluster(broker)
    cluster.start()
    try:
        return type(broker).__name__, result(task_id, wait=120_000)
    finally:
        cluster.stop()


def index_after_article_saves() -> dict:
    """Saving articles queues the index rebuild (receivers); a real cluster runs it."""
    import time

    from oscar_ai_crm.models import KnowledgeArticle, KnowledgeIndex
    from oscar_ai_crm.support.retrieval import search

    with override_settings(OSCAR_AI_CRM={"SUPPORT": {"ENCODER": "tfidf"}}):
        KnowledgeArticle.objects.create(
            title="Returns", slug="returns", body="Return any item within 30 days for a refund."
        )
        KnowledgeArticle.objects.create(
            title="Delivery", slug="delivery", body="Standard delivery takes 3 to 5 days."
        )
        broker = get_broker()
        queued = broker.queue_size()
        cluster = Cluster(broker)
        cluster.start()
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and not KnowledgeIndex.objects.exists():
                time.sleep(0.2)
            time.sleep(1)  # let a second queued rebuild finish too
        finally:
            cluster.stop()
        hits = search("How long does delivery take?")
    index = KnowledgeIndex.objects.order_by("-pk").first()
    return {
        "broker": type(broker).__name__,
        "queued": queued,
        "indexes": KnowledgeIndex.objects.count(),
        "articles": index.article_count if index else 0,
        "top": hits[0].title if hits else None,
    }


def main() -> None:
    job = sys.argv[1] if len(sys.argv) > 1 else "backfill"
    if job == "support_index":
        print(json.dumps(index_after_article_saves()))
        return
    if job == "train":
        make_events()
        with override_settings(OSCAR_AI_CRM={"RECOMMENDATIONS": {"SIMILAR_TEXT": None}}):
            broker, summary = run_task("oscar_ai_crm.tasks.train_recommendations")
        print(
            json.dumps(
                {
                    "broker": broker,
                    "summary": summary,
                    "runs": list(ModelRun.objects.values_list("status", flat=True)),
                    "recommendations": Recommendation.objects.count(),
                }
            )
        )
        return
    if job == "segment":
        make_events()
        broker, summary = run_task("oscar_ai_crm.tasks.segment_customers")
        profiles = CustomerProfile.objects.exclude(features={})
        print(json.dumps({"broker": broker, "summary": summary, "profiles": profiles.count()}))
        return
    user_id = make_history()
    broker, summary = run_task("oscar_ai_crm.tasks.backfill_history")
    profile = CustomerProfile.objects.filter(user_id=user_id).values("order_count").first()
    print(json.dumps({"broker": broker, "summary": summary, "profile": profile}))


if __name__ == "__main__":
    sys.exit(main())
