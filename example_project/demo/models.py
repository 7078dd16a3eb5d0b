"""Ground truth kept by the demo generator, out of reach of the CRM's models.

Evaluation commands (e.g. ``crm_segment --json``) read it to report how well the CRM
recovers what the generator planted; no model ever trains on it.
"""

from django.conf import settings
from django.db import models


class HiddenPersona(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    persona = models.CharField(max_length=40)
    seed = models.IntegerField()

    def __str__(self) -> str:
        return f"{self.user_id}: {self.persona}"


def hidden_personas() -> dict[int, str]:
    """{user id: persona}: the reference grouping ``crm_segment`` compares its clusters with.

    Named in ``OSCAR_AI_CRM["SEGMENTS"]["REFERENCE_LABELS"]`` of the example settings.
    """
    return dict(HiddenPersona.objects.values_list("user_id", "persona"))
