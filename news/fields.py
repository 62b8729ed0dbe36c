from django_ckeditor_5.fields import CKEditor5Field

from news.sanitizer import sanitize_html


class SanitizedHTMLField(CKEditor5Field):
    """Rich text edited with CKEditor 5 and cleaned by nh3 before it is stored.

    Cleaning in ``pre_save`` covers every way in (admin, shell, demo loader,
    a future API), so no script ever reaches the database or a page.
    """

    def pre_save(self, model_instance, add):
        value = sanitize_html(getattr(model_instance, self.attname) or "")
        setattr(model_instance, self.attname, value)
        return value
