import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
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
    if image_format not in ALLOWED_IMAGE_FORMATS:
        raise ValidationError(
            _("Only JPEG, PNG, GIF and WebP pictures are accepted."), code="invalid_format"
        )
    return image_format
