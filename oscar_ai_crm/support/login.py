"""At login, an anonymous visitor's support conversations follow them into their account.

Connected in ``OscarAiCrmConfig.ready()``. Runs for every login path (Oscar's login and
registration, the admin, allauth...): Django's ``login()`` gives the session a new key
before sending ``user_logged_in``, while the request's cookie still holds the old key the
conversations were started under. A failure is logged and never breaks the login.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .conversations import adopt_anonymous_conversations

logger = logging.getLogger(__name__)


@receiver(user_logged_in, dispatch_uid="oscar_ai_crm.support.adopt_conversations")
def on_login(sender, request, user, **kwargs) -> None:
    if request is None:
        return
    try:
        adopt_anonymous_conversations(user, request.COOKIES.get(settings.SESSION_COOKIE_NAME))
    except Exception:
        logger.exception("oscar_ai_crm: the visitor's support conversations were not moved")
