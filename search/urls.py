from django.urls import path
from django.views.generic import TemplateView

app_name = "search"

# Placeholders until issue #3 lands the search views.
urlpatterns = [
    path("", TemplateView.as_view(template_name="search/placeholder.html"), name="results"),
    path(
        "documents/",
        TemplateView.as_view(template_name="search/placeholder.html"),
        name="documents",
    ),
]
