from django.contrib import messages
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.generic import DetailView, ListView

from polls.models import Poll
from polls.services import (
    VoteRefused,
    poll_state,
    vote_cast,
    voter_cookie_set,
    voter_from_request,
    voter_new,
)
from portal.client_ip import client_ip
from portal.pagination import PageNumberMixin


class PollDetailView(DetailView):
    template_name = "polls/poll_detail.html"

    def get_queryset(self):
        return Poll.objects.opened()

    def get_context_data(self, **kwargs):
        voter = voter_from_request(self.request)
        return {**super().get_context_data(**kwargs), **poll_state(self.object, voter=voter)}


class PollArchiveView(PageNumberMixin, ListView):
    template_name = "polls/poll_archive.html"
    context_object_name = "polls"
    paginate_by = 10

    def get_queryset(self):
        return Poll.objects.closed().prefetch_related("choices")


def _back_url(request, poll: Poll) -> str:
    target = request.POST.get("next", "")
    # Only a path on this site: redirect() would read "0" as a view's name.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return poll.get_absolute_url()


def _wants_json(request) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


def vote(request, pk):
    """POST a vote; without JavaScript the resident is sent back to the page
    they were on with a message, with JavaScript the results come back as HTML
    to put in place of the form."""
    if request.method != "POST":
        response = TemplateResponse(
            request,
            "polls/vote_not_allowed.html",
            {"poll_url": reverse("polls:detail", kwargs={"pk": pk})},
            status=405,
        )
        response["Allow"] = "POST"
        return response
    poll = get_object_or_404(Poll.objects.published(), pk=pk)
    voter = voter_from_request(request)
    new_voter = voter is None
    if new_voter:
        voter = voter_new()
    try:
        vote_cast(
            poll=poll, choice_id=request.POST.get("choice"), voter=voter, ip=client_ip(request)
        )
    except VoteRefused as refusal:
        message, status, level = str(refusal.message), refusal.status, messages.ERROR
    else:
        message, status, level = gettext("Thank you, your vote is counted."), 200, messages.SUCCESS

    if _wants_json(request):
        html = render_to_string(
            "polls/includes/poll.html",
            poll_state(poll, voter=voter),
            request=request,
        )
        response = JsonResponse({"message": message, "html": html}, status=status)
    else:
        messages.add_message(request, level, message)
        response = HttpResponseRedirect(_back_url(request, poll))
    if new_voter:
        voter_cookie_set(response, voter, secure=request.is_secure())
    return response
