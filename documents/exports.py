"""The registry's lists as files to download: CSV (for a spreadsheet) and JSON."""

import csv
import json

from django.http import HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _

EXPORT_FIELDS = ["id", "number", "title", "kind", "adopted_on", "issuer", "status", "url"]
EXPORT_LIMIT = 10000
# What makes a spreadsheet read a cell as a formula (OWASP, "CSV Injection"): a cell
# starting with one of these. A title "=HYPERLINK(…)" or an issuer "@SUM(…)" ran when a
# resident opened the export.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """The value as a spreadsheet shows it and never runs: a leading apostrophe where a
    cell would start a formula (the spreadsheet hides it)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def export_row(request, document) -> dict:
    return {
        "id": document.pk,
        "number": document.number,
        "title": document.title,
        "kind": document.kind.name,
        "adopted_on": document.adopted_on.isoformat(),
        "issuer": document.issuer.name,
        "status": document.get_status_display(),
        "url": request.build_absolute_uri(document.get_absolute_url()),
    }


def export_response(request, documents, export_format: str) -> HttpResponse:
    """The documents (at most EXPORT_LIMIT) as an attachment, "csv" or "json"."""
    rows = [export_row(request, document) for document in documents[:EXPORT_LIMIT]]
    if export_format == "json":
        response = HttpResponse(
            json.dumps(rows, ensure_ascii=False, indent=1),
            content_type="application/json; charset=utf-8",
        )
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response.write("\ufeff")  # Excel reads the file as UTF-8 only with the BOM
        # Every cell quoted, as OWASP advises alongside the apostrophe.
        writer = csv.DictWriter(response, fieldnames=EXPORT_FIELDS, quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerows({name: csv_cell(value) for name, value in row.items()} for row in rows)
    response["Content-Disposition"] = f'attachment; filename="documents.{export_format}"'
    return response


def export_refusal(form) -> HttpResponseBadRequest:
    """A 400 naming each invalid filter, instead of a file: an export of the whole
    registry under a filter that was not applied looked like the answer asked for."""
    lines = [_("The list was not exported: correct the filters.")]
    for name, errors in form.errors.items():
        if name not in form.fields:  # an error of the filters together
            lines += errors
            continue
        label = form.fields[name].label
        lines += [
            _("Filter “%(label)s”: %(message)s") % {"label": label, "message": message}
            for message in errors
        ]
    return HttpResponseBadRequest("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
