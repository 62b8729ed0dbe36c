from django import forms
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, ListView

from documents.exports import export_refusal, export_response
from documents.models import Document, DocumentKind, IssuingBody
from portal.pagecache import PageCacheMixin
from portal.pagination import PageNumberMixin


class DocumentFilterForm(forms.Form):
    # Messages of our own: Django's "Select a valid choice. … is not one of the available
    # choices" echoed whatever was typed into the address back onto the page.
    kind = forms.ModelChoiceField(
        DocumentKind.objects.all(),
        to_field_name="slug",
        required=False,
        label=_("Kind"),
        empty_label=_("All kinds"),
        error_messages={"invalid_choice": _("There is no such document kind in the registry.")},
    )
    # The years of the registry to pick from: a typed year could be one with no
    # documents, and a number input echoed "?year=abc" back into invalid HTML.
    year = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        required=False,
        label=_("Year"),
        error_messages={"invalid_choice": _("Choose a year from the list.")},
    )
    issuer = forms.ModelChoiceField(
        IssuingBody.objects.all(),
        required=False,
        label=_("Issuing body"),
        empty_label=_("All"),
        error_messages={"invalid_choice": _("There is no such issuing body in the registry.")},
    )
    status = forms.ChoiceField(
        choices=[("", _("All"))] + list(Document.Status.choices),
        required=False,
        label=_("Status"),
        error_messages={"invalid_choice": _("Choose a status from the list.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        years = Document.objects.published().dates("adopted_on", "year", order="DESC")
        self.fields["year"].choices = [("", _("All years"))] + [
            (day.year, day.year) for day in years
        ]

    def filter(self, queryset):
        """The documents the filters pick: all of them with no filter, none with an
        invalid one. The whole registry under "?kind=nonexistent" passed for an answer
        to the question asked."""
        if not self.is_bound:
            return queryset
        if not self.is_valid():
            return queryset.none()
        data = self.cleaned_data
        if data["kind"]:
            queryset = queryset.filter(kind=data["kind"])
        if data["year"]:
            queryset = queryset.filter(adopted_on__year=data["year"])
        if data["issuer"]:
            queryset = queryset.filter(issuer=data["issuer"])
        if data["status"]:
            queryset = queryset.filter(status=data["status"])
        return queryset


class DocumentListView(PageCacheMixin, PageNumberMixin, ListView):
    page_cache_parameters = [*DocumentFilterForm.base_fields, "page"]
    paginate_by = 20
    template_name = "documents/document_list.html"

    def get_queryset(self):
        self.filter_form = DocumentFilterForm(self.request.GET or None)
        return self.filter_form.filter(Document.objects.published().for_listing())

    def get(self, request, *args, **kwargs):
        export = request.GET.get("format")
        if export in ("csv", "json"):
            documents = self.get_queryset()
            if self.filter_form.errors:
                return export_refusal(self.filter_form)
            return export_response(request, documents, export)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter_form=self.filter_form, **kwargs)


class DocumentDetailView(PageCacheMixin, DetailView):
    page_cache_parameters = ["q"]
    template_name = "documents/document_detail.html"

    def get_queryset(self):
        return Document.objects.published().select_related("kind", "issuer")

    def get_context_data(self, **kwargs):
        document = self.object
        published = Document.objects.published().select_related("kind")
        return super().get_context_data(
            amends=published.filter(amended_by=document),
            cancels=published.filter(cancelled_by=document),
            amended_by=published.filter(amends=document),
            cancelled_by=published.filter(cancels=document),
            query=self.request.GET.get("q", "")[:200],
            **kwargs,
        )


def document_download(request, pk):
    """The file as an attachment with its real type: never rendered as a page of this site."""
    document = get_object_or_404(Document.objects.published(), pk=pk)
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404 from error
    filename = f"{document.kind.slug}-{document.number}.{document.file_type or 'bin'}"
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
