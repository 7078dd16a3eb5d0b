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

from oscar_ai_crm.models import CustomerProfile  # noqa: E402
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


def main() -> None:
    user_id = make_history()
    broker = get_broker()
    task_id = enqueue("oscar_ai_crm.tasks.backfill_history")
    cluster = Cluster(broker)
    cluster.start()
    try:
        summary = result(task_id, wait=60_000)
    finally:
        cluster.stop()
    profile = CustomerProfile.objects.filter(user_id=user_id).values("order_count").first()
    print(json.dumps({"broker": type(broker).__name__, "summary": summary, "profile": profile}))


if __name__ == "__main__":
    sys.exit(main())
