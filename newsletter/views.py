from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from newsletter import services
from newsletter.forms import PreferencesForm, SignupForm
from portal.client_ip import client_ip


@require_http_methods(["GET", "POST"])
def signup(request):
    """The signup form (also in every page's sidebar). The answer is the same
    for a new, pending or confirmed address."""
    if request.method == "GET":
        return _signup_page(request, SignupForm())
    form = SignupForm(request.POST)
    if not form.is_valid():
        return _signup_page(request, form, status=400)
    if not form.is_bot():
        try:
            services.subscription_request(email=form.cleaned_data["email"], ip=client_ip(request))
        except services.SignupRefused:
            return _signup_page(request, form, refused=True, status=429)
    return redirect("newsletter:signed_up")


def _signup_page(request, form, *, refused=False, status=200):
    # The page is the signup form: no sidebar, whose box would repeat it.
    context = {"form": form, "refused": refused, "hide_sidebar": True}
    return render(request, "newsletter/signup.html", context, status=status)


def signed_up(request):
    return render(
        request, "newsletter/signed_up.html", {"valid_days": services.confirm_valid_days()}
    )


def _invalid_link(request):
    return render(
        request,
        "newsletter/invalid_link.html",
        {"valid_days": services.confirm_valid_days()},
        status=400,
    )


@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """GET asks for a click (mail scanners and link previews follow links); the
    button's POST, with its CSRF token, confirms."""
    try:
        if request.method == "POST":
            subscriber = services.subscription_confirm(token=token)
        else:
            subscriber = services.token_subscriber(token, services.CONFIRM)
    except services.InvalidToken:
        return _invalid_link(request)
    if subscriber.status != subscriber.Status.CONFIRMED:
        return render(request, "newsletter/confirm.html", {"subscriber": subscriber})
    links = services.manage_links(subscriber)
    return render(request, "newsletter/confirmed.html", {"subscriber": subscriber, **links})


@require_http_methods(["GET", "POST"])
def preferences(request, token):
    try:
        subscriber = services.token_subscriber(token, services.MANAGE)
    except services.InvalidToken:
        return _invalid_link(request)
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            subscriber.categories.set(form.cleaned_data["categories"])
            messages.success(request, _("Your choice is saved."))
            return redirect("newsletter:preferences", token=token)
    else:
        form = PreferencesForm(initial={"categories": subscriber.categories.all()})
    return render(
        request,
        "newsletter/preferences.html",
        {"form": form, "subscriber": subscriber, **services.manage_links(subscriber)},
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET asks for a click (mail scanners follow links); POST unsubscribes —
    also the one-click POST of RFC 8058, which carries no CSRF token: the
    signed token in the address is the proof."""
    try:
        subscriber = services.token_subscriber(token, services.MANAGE)
    except services.InvalidToken:
        return _invalid_link(request)
    if request.method == "GET":
        return render(request, "newsletter/unsubscribe.html", {"subscriber": subscriber})
    services.subscription_cancel(token=token)
    return render(request, "newsletter/unsubscribed.html", {"subscriber": subscriber})
