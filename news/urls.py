from django.urls import path

from news import feeds, views

app_name = "news"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("news/", views.ArticleListView.as_view(), name="article_list"),
    path("feeds/news/", feeds.LatestNewsFeed(), name="feed"),
    path("feeds/news/<slug:category>/", feeds.CategoryNewsFeed(), name="category_feed"),
    path("news/<slug:category>/", views.CategoryView.as_view(), name="category"),
    path(
        "news/<slug:category>/<slug:slug>/",
        views.ArticleDetailView.as_view(),
        name="article_detail",
    ),
    path("editor/image-upload/", views.editor_image_upload, name="editor_image_upload"),
]
