from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile

from news.models import Article
from news.services import article_author_choices, author_label, picture_without_metadata
from news.validators import validate_image


class AuthorChoiceField(forms.ModelChoiceField):
    """An author by their full name, as readers see it under the article."""

    def label_from_instance(self, obj):
        return author_label(obj)


class ArticleAdminForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = [
            *("title", "slug", "category", "lead", "body", "picture", "picture_alt"),
            *("status", "published_at", "author"),
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        author = self.fields.get("author")
        if author is not None and self.instance.author_id is not None:
            # Someone who has left the staff stays the author of their articles.
            author.queryset = article_author_choices(keep_id=self.instance.author_id)

    def clean_picture(self):
        """A new picture is stored without its metadata (news.services)."""
        picture = self.cleaned_data.get("picture")
        if isinstance(picture, UploadedFile):
            cleaned = picture_without_metadata(picture, validate_image(picture))
            return SimpleUploadedFile(picture.name, cleaned.read(), picture.content_type)
        return picture
