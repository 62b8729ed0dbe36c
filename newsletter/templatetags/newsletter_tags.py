from django import template

register = template.Library()


@register.inclusion_tag("newsletter/includes/signup.html", takes_context=True)
def newsletter_signup(context):
    """The signup box of the sidebar (built by issue #5)."""
    return {"request": context.get("request")}
