from django import template

register = template.Library()


@register.inclusion_tag("polls/includes/sidebar_poll.html", takes_context=True)
def sidebar_poll(context):
    """The current poll for the sidebar (built by issue #4)."""
    return {"request": context.get("request")}
