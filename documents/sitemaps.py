from django.contrib.sitemaps import Sitemap

from documents.models import Document


class DocumentSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Document.objects.published().only("id", "updated")

    def lastmod(self, document):
        return document.updated
