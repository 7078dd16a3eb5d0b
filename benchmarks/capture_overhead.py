"""What does behaviour capture add to a product page? Compared with Oscar's own analytics.

Times Oscar's product-detail view through the Django test client in three set-ups,
interleaved request by request so drift hits all three alike:
  (a) no capture: Oscar's analytics receivers and ours disconnected,
  (b) Oscar's analytics receivers only (what every Oscar shop pays today),
  (c) Oscar's analytics plus oscar_ai_crm's capture.
Also times the ``product_viewed`` signal dispatch alone (less noisy than whole requests).
Prints medians and the ratio (c - b) / (b - a): our added cost over Oscar analytics' cost.
(c) uses the default background writer; (d) the same with inline writes, for comparison.

    python benchmarks/capture_overhead.py [--requests 300] [--dispatches 2000]
Set DATABASE_URL to run it on PostgreSQL (default: a SQLite file in a temp dir).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "example_project.settings"
os.environ.setdefault("EXAMPLE_SHOP_VAR_DIR", tempfile.mkdtemp(prefix="crm-bench-"))

import django  # noqa: E402

django.setup()

from decimal import Decimal  # noqa: E402

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import AnonymousUser  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.test import Client, RequestFactory  # noqa: E402
from oscar.apps.analytics import receivers as oscar_analytics  # noqa: E402
from oscar.apps.catalogue.signals import product_viewed  # noqa: E402
from oscar.test import factories  # noqa: E402

from oscar_ai_crm.capture import receivers as crm_capture  # noqa: E402
from oscar_ai_crm.capture.writer import flush_pending_events  # noqa: E402
from oscar_ai_crm.conf import crm_settings  # noqa: E402

UA = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
OSCAR_RECEIVER = oscar_analytics.receive_product_view
CRM_UID = "oscar_ai_crm.product_viewed"
MODES = {
    "a_no_capture": (False, False, False),
    "b_oscar_analytics": (True, False, False),
    "c_analytics_plus_crm": (True, True, False),
    "d_analytics_plus_crm_inline": (True, True, True),
}


def connect(oscar: bool, crm: bool, inline: bool = False) -> None:
    """Connect the receivers of one set-up; ``inline`` writes our events during the request."""
    product_viewed.disconnect(OSCAR_RECEIVER)
    product_viewed.disconnect(dispatch_uid=CRM_UID)
    if oscar:
        product_viewed.connect(OSCAR_RECEIVER)
    if crm:
        product_viewed.connect(crm_capture.on_product_viewed, dispatch_uid=CRM_UID)
    settings.OSCAR_AI_CRM = {"CAPTURE": {"WRITE_MODE": "inline" if inline else "background"}}
    crm_settings.reload()


def build_shop(n_products: int = 50):
    call_command("migrate", verbosity=0)
    products = []
    for i in range(n_products):
        product = factories.create_product(title=f"Benchmark product {i}", upc=f"BENCH-{i}")
        factories.create_stockrecord(product, price=Decimal("19.99"), num_in_stock=100)
        products.append(product)
    customer = factories.UserFactory()
    return [p.get_absolute_url() for p in products], customer


def visitors(customer) -> dict[str, Client]:
    anonymous = Client(headers={"user-agent": UA})
    logged_in = Client(headers={"user-agent": UA})
    logged_in.force_login(customer)
    return {"anonymous": anonymous, "customer": logged_in}


def time_requests(client: Client, urls: list[str], n: int) -> list[float]:
    times = []
    for i in range(n):
        start = time.perf_counter()
        response = client.get(urls[i % len(urls)])
        times.append(time.perf_counter() - start)
        assert response.status_code == 200
    return times


def time_dispatch(request, product, n: int) -> list[float]:
    response = HttpResponse()
    times = []
    for _ in range(n):
        start = time.perf_counter()
        product_viewed.send(
            sender=None, product=product, user=request.user, request=request, response=response
        )
        times.append(time.perf_counter() - start)
    return times


def measure(urls, customer, n_requests: int) -> dict[str, dict[str, float]]:
    """Median page time per visitor and mode; modes alternate request by request."""
    clients = visitors(customer)
    for client in clients.values():
        time_requests(client, urls, 20)  # warm up: sessions, caches, first-time inserts
    samples = {(who, mode): [] for who in clients for mode in MODES}
    modes = list(MODES)
    for i in range(n_requests):
        for mode in (
            modes[i % len(modes) :] + modes[: i % len(modes)]
        ):  # rotate the order: no mode always first
            connect(*MODES[mode])
            for who, client in clients.items():
                samples[who, mode] += time_requests(client, [urls[i % len(urls)]], 1)
    connect(True, True)
    flush_pending_events()
    return {
        who: {mode: statistics.median(samples[who, mode]) * 1000 for mode in MODES}
        for who in clients
    }


def measure_dispatch(customer, n: int) -> dict[str, dict[str, float]]:
    """Median time of sending ``product_viewed`` alone, per visitor and mode."""
    product = factories.create_product(title="Dispatch product")
    requests = {"anonymous": AnonymousUser(), "customer": customer}
    for who, user in requests.items():
        request = RequestFactory().get("/", headers={"user-agent": UA})
        request.user = user
        request.session = Client().session
        request.session.save()
        requests[who] = request
    samples = {(who, mode): [] for who in requests for mode in MODES}
    for _ in range(n):
        for mode in MODES:
            connect(*MODES[mode])
            for who, request in requests.items():
                samples[who, mode] += time_dispatch(request, product, 1)
    connect(True, True)
    flush_pending_events()
    return {
        who: {mode: statistics.median(samples[who, mode]) * 1000 for mode in MODES}
        for who in requests
    }


def ratio(medians: dict[str, float], ours: str = "c_analytics_plus_crm") -> float:
    oscar_cost = medians["b_oscar_analytics"] - medians["a_no_capture"]
    crm_cost = medians[ours] - medians["b_oscar_analytics"]
    return crm_cost / oscar_cost if oscar_cost > 0 else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="per mode and visitor")
    parser.add_argument("--dispatches", type=int, default=2000, help="per mode and visitor")
    args = parser.parse_args()
    urls, customer = build_shop()
    print(
        f"database: {connection.vendor}; {args.requests} page requests and "
        f"{args.dispatches} signal dispatches per mode and visitor, modes interleaved"
    )
    report("product page", measure(urls, customer, args.requests), "ms", 2)
    report("signal dispatch only", measure_dispatch(customer, args.dispatches), "ms", 3)


def report(what: str, medians_by_visitor: dict[str, dict[str, float]], unit: str, digits: int):
    for who, medians in medians_by_visitor.items():
        cells = ", ".join(f"{mode} {ms:.{digits}f} {unit}" for mode, ms in medians.items())
        print(
            f"{what}, {who}: {cells}; ratio crm/oscar-analytics = {ratio(medians):.2f} "
            f"(inline writes: {ratio(medians, 'd_analytics_plus_crm_inline'):.2f})"
        )


if __name__ == "__main__":
    main()
