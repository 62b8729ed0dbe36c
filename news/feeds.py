from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.translation import gettext_lazy as _

from news.models import Article, Category


class LatestNewsFeed(Feed):
    feed_type = Rss201rev2Feed
    title = _("Hromada: news")
    description = _("The latest news of the community.")
    item_count = 30

    def link(self):
        return reverse("news:article_list")

    def articles(self):
        # With their text: an article without a lead is described by its start.
        return Article.objects.published().select_related("category")

    def items(self):
        return self.articles()[: self.item_count]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [item.category.name]


class CategoryNewsFeed(LatestNewsFeed):
    def get_object(self, request, category):
        return get_object_or_404(Category, slug=category)

    def title(self, obj):
        return _("Hromada: %(category)s") % {"category": obj.name}

    def description(self, obj):
        return obj.description or self.title(obj)

    def link(self, obj):
        return obj.get_absolute_url()

    def items(self, obj):
        return self.articles().filter(category=obj)[: self.item_count]
