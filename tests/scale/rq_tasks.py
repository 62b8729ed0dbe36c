"""A task for the RQ test: defined with Django's own ``django.tasks.task``,
importable by the worker process."""

from django.core.cache import cache
from django.tasks import task


@task
def remember(key: str, value: str) -> str:
    cache.set(key, value, 300)
    return value
