from django import forms
from django.utils.translation import gettext_lazy as _

from documents.views import DocumentFilterForm
from search.models import IndexEntry

# A date as the date input sends it, or as a resident types it into the address.
DATE_ERRORS = {"invalid": _("Enter a date that exists: day, month and year.")}


class SiteSearchForm(forms.Form):
    # Messages of our own: Django's "Select a valid choice. … is not one of the available
    # choices" echoed whatever was typed into the address back onto the page.
    q = forms.CharField(required=False, label=_("Search the site"))
    kind = forms.ChoiceField(
        choices=[("", _("Everything")), ("news", _("News")), ("document", _("Documents"))],
        required=False,
        label=_("What"),
        error_messages={"invalid_choice": _("Choose what to search from the list.")},
    )
    date_from = forms.DateField(
        required=False,
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages=DATE_ERRORS,
    )
    date_to = forms.DateField(
        required=False,
        label=_("To"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages=DATE_ERRORS,
    )
    sort = forms.ChoiceField(
        choices=[("relevance", _("By relevance")), ("date", _("Newest first"))],
        required=False,
        label=_("Sort"),
        error_messages={"invalid_choice": _("Choose an order from the list.")},
    )

    def clean(self):
        """A period that ends before it starts: no date is in it, and "nothing found"
        would blame the words."""
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the period is before its start."))
        return data

    def search_kind(self):
        """The one kind of entry searched, if the visitor chose one."""
        return self.cleaned_data.get("kind") or None

    def filter(self, queryset):
        data = self.cleaned_data
        if data.get("kind"):
            queryset = queryset.filter(kind=data["kind"])
        if data.get("date_from"):
            queryset = queryset.filter(date__gte=data["date_from"])
        if data.get("date_to"):
            queryset = queryset.filter(date__lte=data["date_to"])
        return queryset


class DocumentSearchForm(DocumentFilterForm):
    """The registry's filters (without the status) plus the query and the order."""

    field_order = ["q", "kind", "year", "issuer", "sort"]
    status = None
    q = forms.CharField(required=False, label=_("Search the documents"))
    sort = SiteSearchForm.base_fields["sort"]

    def search_kind(self):
        return IndexEntry.Kind.DOCUMENT

    def filter(self, queryset):
        data = self.cleaned_data
        queryset = queryset.filter(kind=IndexEntry.Kind.DOCUMENT)
        if data.get("kind"):
            queryset = queryset.filter(doc_kind=data["kind"].slug)
        if data.get("year"):
            queryset = queryset.filter(date__year=data["year"])
        if data.get("issuer"):
            queryset = queryset.filter(issuer_id=data["issuer"].pk)
        return queryset
