from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from news.forms import ArticleAdminForm, AuthorChoiceField
from news.models import Article, Category
from news.services import article_author_choices, article_save, articles_delete


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = ["title", "category", "status", "published_at", "views"]
    list_filter = ["category", "status", ("published_at", admin.DateFieldListFilter)]
    list_select_related = ["category"]
    search_fields = ["title"]
    date_hierarchy = "published_at"
    readonly_fields = ["views", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "category", "lead", "body"]}),
        (_("Picture"), {"fields": ["picture", "picture_alt"]}),
        (_("Publishing"), {"fields": ["status", "published_at", "author"]}),
        (_("Statistics"), {"fields": ["views", "created_at", "updated_at"]}),
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "author":
            # A plain list of the staff: the autocomplete over users answered 403 to
            # editors, who may not view users (portal.roles).
            kwargs["queryset"] = article_author_choices()
            kwargs["form_class"] = AuthorChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        return {"author": request.user.pk, **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        if (
            change
            and obj.first_published_at is None
            and obj.status == Article.Status.PUBLISHED
            and "published_at" not in form.changed_data
            and obj.published_at <= timezone.now()
        ):
            # A draft's time is when it was started; published with that time left as
            # it was, it appears at the moment it is published: on top of the lists and
            # in the next digest, not among the news of the day it was begun. An article
            # that was public before and is published again keeps its time.
            obj.published_at = timezone.now()
        article_save(article=obj, picture_changed="picture" in form.changed_data)

    def delete_model(self, request, obj):
        articles_delete(articles=Article.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        articles_delete(articles=queryset)
