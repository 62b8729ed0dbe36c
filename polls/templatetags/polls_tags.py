from django import template

from polls.models import Poll
from polls.services import poll_state, voter_from_request

register = template.Library()


@register.inclusion_tag("polls/includes/sidebar_poll.html", takes_context=True)
def sidebar_poll(context):
    """The current poll for the sidebar of every page (not on the poll's own
    page, which shows it in the main column)."""
    request = context.get("request")
    poll = Poll.objects.current()
    page_poll = context.get("poll")
    if poll is None or request is None or (page_poll is not None and page_poll.pk == poll.pk):
        return {}
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        **poll_state(poll, voter=voter_from_request(request)),
    }
