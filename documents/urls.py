from django.urls import path
from django.views.generic import TemplateView

app_name = "documents"

# Placeholder until issue #3 lands the registry.
urlpatterns = [
    path("", TemplateView.as_view(template_name="documents/placeholder.html"), name="list"),
]
