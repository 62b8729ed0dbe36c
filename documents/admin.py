from django.contrib import admin, messages

from documents.models import Document, DocumentKind, IssuingBody
from documents.services import document_kind_save, document_save


@admin.register(DocumentKind)
class DocumentKindAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}

    def save_model(self, request, obj, form, change):
        # Also for a position edited in the list: the service reindexes only when the
        # name or the slug changed.
        document_kind_save(kind=obj)


@admin.register(IssuingBody)
class IssuingBodyAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "number", "kind", "adopted_on", "issuer", "status", "is_published"]
    list_filter = ["kind", "status", "is_published", "issuer", "adopted_on"]
    search_fields = ["title", "number", "description"]
    date_hierarchy = "adopted_on"
    filter_horizontal = ["amends", "cancels"]
    readonly_fields = ["file_type", "file_size", "text", "created", "updated"]
    list_select_related = ["kind", "issuer"]

    def save_model(self, request, obj, form, change):
        warning = document_save(document=obj, file_changed="file" in form.changed_data)
        if warning:
            self.message_user(request, warning, messages.WARNING)
