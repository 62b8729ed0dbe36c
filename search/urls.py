from django.urls import path

from search import views

app_name = "search"

urlpatterns = [
    path("", views.site_search, name="results"),
    path("documents/", views.document_search, name="documents"),
]
