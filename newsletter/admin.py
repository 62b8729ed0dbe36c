import csv

from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from newsletter import services
from newsletter.models import Mailing, Subscriber


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "status", "created_at", "confirmed_at"]
    list_filter = ["status", "categories"]
    search_fields = ["email"]
    readonly_fields = ["created_at", "confirmed_at", "unsubscribed_at", "last_mail_at"]
    filter_horizontal = ["categories"]
    actions = ["export_csv"]

    @admin.action(description=_("Export the chosen subscribers as CSV"))
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="subscribers.csv"'
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow(["email", "status", "signed_up", "confirmed"])
        for subscriber in queryset.order_by("email"):
            writer.writerow(
                [
                    subscriber.email,
                    subscriber.status,
                    subscriber.created_at.isoformat(),
                    subscriber.confirmed_at.isoformat() if subscriber.confirmed_at else "",
                ]
            )
        return response


@admin.register(Mailing)
class MailingAdmin(admin.ModelAdmin):
    list_display = ["subject", "status", "created_at", "sent_at", "progress_summary"]
    list_filter = ["status", "is_digest"]
    search_fields = ["subject"]
    autocomplete_fields = ["articles"]
    readonly_fields = ["status", "is_digest", "queued_at", "sent_at", "progress_summary", "preview"]
    actions = ["send_test_to_me", "queue_for_sending"]

    def get_urls(self):
        return [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="newsletter_mailing_preview",
            ),
            *super().get_urls(),
        ]

    def preview_view(self, request, pk):
        mailing = get_object_or_404(Mailing, pk=pk)
        if not self.has_view_permission(request, mailing):
            return HttpResponse(status=403)
        sample = Subscriber(pk=0, email=request.user.email or "preview@example.org")
        message = services.mailing_message(mailing, sample)
        html = message.alternatives[0].content
        response = HttpResponse(html)
        # The preview is the e-mail's own HTML with its inline styles.
        response._csp_config = {
            "default-src": ["'none'"],
            "img-src": ["*"],
            "style-src": ["'unsafe-inline'"],
        }
        return response

    @admin.display(description=_("preview"))
    def preview(self, mailing):
        if not mailing.pk:
            return "—"
        url = reverse("admin:newsletter_mailing_preview", args=[mailing.pk])
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', url, _("Open the e-mail")
        )

    @admin.display(description=_("progress"))
    def progress_summary(self, mailing):
        counts = mailing.progress()
        return _("sent %(sent)s · failed %(failed)s · pending %(pending)s") % counts

    @admin.action(description=_("Send a test to me"))
    def send_test_to_me(self, request, queryset):
        if not request.user.email:
            self.message_user(request, _("Your account has no e-mail address."), messages.ERROR)
            return
        for mailing in queryset:
            try:
                services.mailing_send_test(mailing=mailing, email=request.user.email)
            except services.MailNotSent as error:
                self.message_user(
                    request,
                    _("The test of “%(subject)s” to %(email)s was not sent: %(error)s")
                    % {"subject": mailing.subject, "email": request.user.email, "error": error},
                    messages.ERROR,
                )
                return
        self.message_user(request, _("Test sent to %(email)s.") % {"email": request.user.email})

    @admin.action(description=_("Queue for sending to all confirmed subscribers"))
    def queue_for_sending(self, request, queryset):
        for mailing in queryset:
            try:
                count = services.mailing_queue(mailing=mailing)
            except services.MailingNotDraft:
                self.message_user(
                    request,
                    _("“%(subject)s” was not queued: it is no longer a draft.")
                    % {"subject": mailing.subject},
                    messages.WARNING,
                )
            except services.MailingHasNoRecipients:
                self.message_user(
                    request,
                    _(
                        "“%(subject)s” was not queued: no confirmed subscriber wants it. "
                        "The mailing stays a draft."
                    )
                    % {"subject": mailing.subject},
                    messages.WARNING,
                )
            else:
                self.message_user(
                    request,
                    ngettext(
                        "“%(subject)s” queued: %(count)s letter.",
                        "“%(subject)s” queued: %(count)s letters.",
                        count,
                    )
                    % {"subject": mailing.subject, "count": count},
                    messages.SUCCESS,
                )
