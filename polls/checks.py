"""System checks of the poll settings (run by ``manage.py check``, ``runserver``, ``migrate``)."""

from django.conf import settings
from django.core.checks import Error, register

# Thousands of residents share one address behind a mobile carrier's NAT (issue #4).
VOTES_PER_IP_PER_HOUR_FLOOR = 100


@register()
def check_votes_per_ip_per_hour(app_configs=None, **kwargs) -> list[Error]:
    limit = getattr(settings, "POLLS_VOTES_PER_IP_PER_HOUR", None)
    if isinstance(limit, int) and limit >= VOTES_PER_IP_PER_HOUR_FLOOR:
        return []
    return [
        Error(
            f"POLLS_VOTES_PER_IP_PER_HOUR is {limit!r}; it must be a whole number of at "
            f"least {VOTES_PER_IP_PER_HOUR_FLOOR}.",
            hint="Residents behind one mobile carrier's NAT share an address; set "
            "POLLS_VOTES_PER_IP_PER_HOUR to 100 or more (default 300).",
            id="polls.E001",
        )
    ]
