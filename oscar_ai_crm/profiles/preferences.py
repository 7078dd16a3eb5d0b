"""A customer's tracking opt-out flag."""

from ..models import CustomerProfile


def tracking_opted_out(user_id: int) -> bool:
    return CustomerProfile.objects.filter(user_id=user_id, tracking_opted_out=True).exists()


def set_tracking_opt_out(user_id: int, opted_out: bool) -> None:
    """Set the flag, creating the profile if needed. Opting out stops capture at once."""
    CustomerProfile.objects.update_or_create(
        user_id=user_id, defaults={"tracking_opted_out": opted_out}
    )
