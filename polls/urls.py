from django.urls import path
from django.views.generic import TemplateView

app_name = "polls"

# Placeholder until issue #4 lands the polls.
urlpatterns = [
    path("", TemplateView.as_view(template_name="polls/placeholder.html"), name="archive"),
]
