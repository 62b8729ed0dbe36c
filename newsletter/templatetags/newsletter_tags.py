from django import template

from newsletter.forms import SignupForm

register = template.Library()


@register.inclusion_tag("newsletter/includes/signup.html", takes_context=True)
def newsletter_signup(context):
    """The signup box of every page's sidebar (not repeated on the signup page)."""
    if context.get("hide_sidebar_signup"):
        return {}
    return {
        "form": SignupForm(auto_id="sidebar-signup-%s"),
        "csrf_token": context.get("csrf_token"),
        "show": True,
    }
