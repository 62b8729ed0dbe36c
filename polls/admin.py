import csv

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponse
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from polls.models import Choice, Poll

MIN_PUBLISHED_ANSWERS = 2


class ChoiceFormSet(BaseInlineFormSet):
    def clean(self):
        """A published poll has at least two answers: residents must have a choice."""
        super().clean()
        if not self.instance.is_published:
            return
        answers = [
            form
            for form in self.forms
            if form.cleaned_data.get("text") and not form.cleaned_data.get("DELETE")
        ]
        if len(answers) < MIN_PUBLISHED_ANSWERS:
            raise ValidationError(
                _("A published poll needs at least two answers."), code="too_few_answers"
            )


class ChoiceInline(admin.TabularInline):
    model = Choice
    formset = ChoiceFormSet
    extra = 3
    fields = ["text", "position", "votes"]
    readonly_fields = ["votes"]


@admin.register(Poll)
class PollAdmin(admin.ModelAdmin):
    list_display = ["question", "opens_at", "closes_at", "is_published", "total_votes"]
    list_filter = ["is_published", "opens_at"]
    search_fields = ["question"]
    date_hierarchy = "opens_at"
    inlines = [ChoiceInline]
    readonly_fields = ["results_table"]
    fields = ["question", "opens_at", "closes_at", "is_published", "results_table"]
    actions = ["export_results_csv"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("choices")

    @admin.display(description=_("votes"))
    def total_votes(self, poll):
        return poll.results().total

    @admin.display(description=_("results"))
    def results_table(self, poll):
        if not poll.pk:
            return "—"
        results = poll.results()
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}%</td></tr>",
            (
                (item.choice.text, item.votes, number_format(item.share, 2))
                for item in results.choices
            ),
        )
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody><tfoot><tr><th>{}</th><th>{}</th><th>{}%</th></tr></tfoot>"
            "</table>",
            _("answer"),
            _("votes"),
            _("share"),
            rows,
            _("total"),
            results.total,
            number_format(sum(item.share for item in results.choices), 2),
        )

    @admin.action(description=_("Export the results as CSV"))
    def export_results_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="poll-results.csv"'
        response.write("\ufeff")  # so that spreadsheet programs read UTF-8
        writer = csv.writer(response)
        writer.writerow(["poll", "question", "answer", "votes", "share_percent"])
        for poll in queryset.prefetch_related("choices"):
            for item in poll.results().choices:
                writer.writerow(
                    [poll.pk, poll.question, item.choice.text, item.votes, item.share_value]
                )
        return response
