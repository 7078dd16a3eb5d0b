"""Product reviews saved as Oscar's ``ProductReview`` and announced with ``review_added``."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Model
from django.http import HttpResponse
from oscar.apps.catalogue.reviews.signals import review_added
from oscar.core.loading import get_model

from .browser import Browser, SimulatedView
from .vocabulary import REVIEW_BODIES, REVIEW_TITLES

ProductReview = get_model("reviews", "ProductReview")


def review_text(score: int, item: str, variant: int) -> tuple[str, str]:
    """A title and body matching ``score``; ``variant`` picks one of the title phrasings."""
    titles = REVIEW_TITLES[score]
    return titles[variant % len(titles)], REVIEW_BODIES[score].format(item=item.lower())


def write_review(
    browser: Browser, product: Model, score: int, text: tuple[str, str], when: datetime
) -> Model:
    """Save the logged-in browser's review of ``product`` dated ``when``; signal it."""
    title, body = text
    review = ProductReview(product=product, user=browser.user, score=score, title=title, body=body)
    review.save()  # Oscar recalculates the product's rating here
    ProductReview.objects.filter(pk=review.pk).update(date_created=when)
    review.date_created = when
    path = f"{product.get_absolute_url()}reviews/add/"
    request = browser.request(path, form={"score": str(score), "title": title})
    review_added.send(
        sender=SimulatedView(request),
        review=review,
        user=browser.user,
        request=request,
        response=HttpResponse(),
    )
    return review
