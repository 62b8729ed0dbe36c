from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile

from news.models import Article
from news.services import picture_without_metadata
from news.validators import validate_image


class ArticleAdminForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = [
            *("title", "slug", "category", "lead", "body", "picture", "picture_alt"),
            *("status", "published_at", "author"),
        ]

    def clean_picture(self):
        """A new picture is stored without its metadata (news.services)."""
        picture = self.cleaned_data.get("picture")
        if isinstance(picture, UploadedFile):
            cleaned = picture_without_metadata(picture, validate_image(picture))
            return SimpleUploadedFile(picture.name, cleaned.read(), picture.content_type)
        return picture
