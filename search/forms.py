from django import forms
from django.utils.translation import gettext_lazy as _

from documents.views import DocumentFilterForm
from search.models import IndexEntry


class SiteSearchForm(forms.Form):
    q = forms.CharField(required=False, label=_("Search the site"))
    kind = forms.ChoiceField(
        choices=[("", _("Everything")), ("news", _("News")), ("document", _("Documents"))],
        required=False,
        label=_("What"),
    )
    date_from = forms.DateField(
        required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label=_("To"), widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.ChoiceField(
        choices=[("relevance", _("By relevance")), ("date", _("Newest first"))],
        required=False,
        label=_("Sort"),
    )

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
