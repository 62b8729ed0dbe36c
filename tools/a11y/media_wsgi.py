"""The portal as production serves it, plus the uploaded media.

In production the reverse proxy (nginx) serves ``MEDIA_ROOT``; Lighthouse runs
against gunicorn alone, so WhiteNoise stands in for the proxy here and serves
the media with the same far-future caching. Used only by ``lighthouse.py``.
"""

from django.conf import settings
from whitenoise import WhiteNoise

from portal.wsgi import application as portal_application

application = WhiteNoise(
    portal_application, root=settings.MEDIA_ROOT, prefix=settings.MEDIA_URL, max_age=31536000
)
