"""Static files in production: WhiteNoise's compressed, hashed names."""

import functools

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """Each file's address worked out once per process: the manifest does not change
    while the server runs, and the four ``{% static %}`` addresses of every page
    cost some 0.1 ms of each page not in the page cache."""

    @functools.lru_cache(maxsize=512)  # noqa: B019 - one storage object per process
    def url(self, name, force=False):
        return super().url(name, force)
