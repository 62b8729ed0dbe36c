import warnings
from html.parser import HTMLParser

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image

ALLOWED_IMAGE_FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}


def validate_image(file) -> str:
    """Accept only a real picture within the size and pixel limits.

    Pillow reads the header and verifies the data, so a renamed HTML file is
    refused; the pixel limit is checked before decoding, so a decompression
    bomb never expands in memory. Returns the picture's real format, which
    names the stored file (news.models.picture_name).
    """
    if file.size > settings.IMAGE_UPLOAD_MAX_BYTES:
        raise ValidationError(
            _("The picture is too large (%(size)s); the limit is %(limit)s.")
            % {
                "size": filesizeformat(file.size),
                "limit": filesizeformat(settings.IMAGE_UPLOAD_MAX_BYTES),
            },
            code="too_large",
        )
    file.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                image_format = image.format
                width, height = image.size
                if width * height > settings.IMAGE_UPLOAD_MAX_PIXELS:
                    raise ValidationError(
                        _("The picture has too many pixels (%(w)s×%(h)s).")
                        % {"w": width, "h": height},
                        code="too_many_pixels",
                    )
                image.verify()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            _("The picture has too many pixels."), code="too_many_pixels"
        ) from None
    except Exception:
        raise ValidationError(
            _("The file is not a picture or is damaged."), code="invalid_image"
        ) from None
    finally:
        file.seek(0)
    if image_format == "MPO":  # a phone's JPEG with its depth map or preview
        image_format = "JPEG"
    if image_format not in ALLOWED_IMAGE_FORMATS:
        raise ValidationError(
            _("Only JPEG, PNG, GIF and WebP pictures are accepted."), code="invalid_format"
        )
    return image_format


class _Pictures(HTMLParser):
    def __init__(self):
        super().__init__()
        self.undescribed = 0

    def handle_starttag(self, tag, attrs):
        if tag == "img" and not (dict(attrs).get("alt") or "").strip():
            self.undescribed += 1


def validate_body_pictures_described(html: str) -> None:
    """Every picture in an article's text has a description (its alt text): a
    screen reader says nothing else of it (WCAG 1.1.1). CKEditor 5 asks for it
    under the picture's "Change image text alternative" button."""
    parser = _Pictures()
    parser.feed(html or "")
    if parser.undescribed:
        raise ValidationError(
            ngettext(
                "%(count)d picture in the text has no description: add its alternative text.",
                "%(count)d pictures in the text have no description: add their alternative text.",
                parser.undescribed,
            )
            % {"count": parser.undescribed},
            code="picture_without_alt",
        )
