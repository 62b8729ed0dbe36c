from django.urls import path

from polls import views

app_name = "polls"

urlpatterns = [
    path("", views.PollArchiveView.as_view(), name="archive"),
    path("<int:pk>/", views.PollDetailView.as_view(), name="detail"),
    path("<int:pk>/vote/", views.vote, name="vote"),
]
