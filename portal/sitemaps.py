from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from documents.sitemaps import DocumentSitemap
from news.sitemaps import ArticleSitemap, CategorySitemap


class StaticViewSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.6

    def items(self):
        return ["news:home", "news:article_list"]

    def location(self, item):
        return reverse(item)


sitemaps = {
    "pages": StaticViewSitemap,
    "categories": CategorySitemap,
    "news": ArticleSitemap,
    "documents": DocumentSitemap,
}
