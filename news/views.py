import json

from django.conf import settings
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, ListView, TemplateView

from news.models import Article, Category, picture_name
from news.services import (
    article_view_register,
    author_label,
    picture_without_metadata,
    published_article,
    related_articles,
    viewed_cookie_set,
)
from news.validators import validate_image
from portal.links import absolute_url
from portal.pagecache import PageCacheMixin, views_counted_with_the_page
from portal.pagination import PageNumberMixin

# The characters json_script escapes, so that JSON-LD cannot close its tag. Replaced
# one by one: str.translate with a table walks a Cyrillic text character by character
# (40 µs on an article page, against 1 µs).
JSON_SCRIPT_ESCAPES = (("<", "\\u003C"), (">", "\\u003E"), ("&", "\\u0026"))


class HomeView(PageCacheMixin, TemplateView):
    template_name = "news/home.html"
    # No page of its own: "/?page=2" is the home page, not one more copy of it in the cache.
    page_cache_parameters = ()
    latest_count = 10

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        latest = list(Article.objects.published().for_listing()[: self.latest_count])
        context["featured"] = latest[0] if latest else None
        context["latest"] = latest[1:]
        return context


class ArticleListView(PageCacheMixin, PageNumberMixin, ListView):
    template_name = "news/article_list.html"
    context_object_name = "articles"

    def get_paginate_by(self, queryset):
        return settings.NEWS_PAGE_SIZE

    def get_queryset(self):
        return Article.objects.published().for_listing()


class CategoryView(ArticleListView):
    template_name = "news/category.html"

    def get_queryset(self):
        self.category = get_object_or_404(Category, slug=self.kwargs["category"])
        return super().get_queryset().filter(category=self.category)

    def get_context_data(self, **kwargs):
        return super().get_context_data(category=self.category, **kwargs)


class ArticleDetailView(PageCacheMixin, DetailView):
    template_name = "news/article_detail.html"
    related_count = 5

    def get_object(self, queryset=None):
        if self.request.user.is_staff:  # who may preview a draft or a scheduled article
            return get_object_or_404(
                Article.objects.select_related("category", "author"),
                category__slug=self.kwargs["category"],
                slug=self.kwargs["slug"],
            )
        article = published_article(
            self.kwargs["category"], self.kwargs["slug"], request=self.request
        )
        if article is None:
            raise Http404
        article.address_found(self.request.path)
        return article

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        article = self.object
        context["category"] = article.category
        context["related"] = related_articles(article, self.related_count, request=self.request)
        context["related_ids"] = [item.pk for item in context["related"]]
        context["is_preview"] = not article.is_public
        # Absolute, from SITE_URL: the address a search engine should keep, whatever
        # Host the request had (the canonical link, Open Graph, JSON-LD).
        context["article_url"] = absolute_url(article.get_absolute_url())
        context["json_ld"] = self.json_ld(article, context["article_url"])
        return context

    def json_ld(self, article, url):
        data = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": article.title,
            "description": article.summary,
            "datePublished": article.published_at.isoformat(),
            "dateModified": article.updated_at.isoformat(),
            "articleSection": article.category.name,
            "mainEntityOfPage": url,
            "inLanguage": "uk",  # the articles are written in Ukrainian, under /en/ too
        }
        if article.picture:
            data["image"] = [absolute_url(article.picture.url)]
        if article.author:
            data["author"] = {
                "@type": "Person",
                "name": author_label(article.author),
            }
        text = json.dumps(data, ensure_ascii=False)
        for character, escaped in JSON_SCRIPT_ESCAPES:
            text = text.replace(character, escaped)
        # Safe: every character that could end the <script> element is escaped.
        return mark_safe(text)  # noqa: S308

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        viewed = article_view_register(
            request=request,
            article=self.object,
            count_later=views_counted_with_the_page(request),
        )
        response = self.render_to_response(self.get_context_data(object=self.object))
        if viewed:
            viewed_cookie_set(response, viewed, secure=request.is_secure())
        if self.object.is_public:
            # The page cache counts views on its hits by this id.
            response.pagecache_article = (self.object.pk, self.object.flushed_views)
        return response


@require_POST
@permission_required("news.change_article", raise_exception=True)
def editor_image_upload(request):
    """CKEditor 5's image upload, for editors only, with the same checks as
    article pictures (real image, size and pixel limits)."""
    upload = request.FILES.get("upload")
    if upload is None:
        raise Http404
    try:
        image_format = validate_image(upload)
    except ValidationError as error:
        return JsonResponse({"error": {"message": " ".join(error.messages)}}, status=400)
    name = default_storage.save(
        picture_name("editor", image_format), picture_without_metadata(upload, image_format)
    )
    return JsonResponse({"url": default_storage.url(name)})
