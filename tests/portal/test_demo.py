"""``manage.py demo``: demo content loaded once, an administrator, a login printed."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from documents.models import Document
from news.models import Article, Category
from newsletter.models import Subscriber
from polls.models import Poll


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Category, Article, Document, Poll, Subscriber)
    }


@pytest.mark.django_db(transaction=True)
def test_demo_loads_content_once_and_prints_the_admin_login(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    first = io.StringIO()
    call_command("demo", no_serve=True, stdout=first)
    loaded = counts()
    assert loaded["Category"] >= 3 and loaded["Article"] >= 30
    assert Category.objects.filter(name="Новини громад").exists()
    assert Article.objects.published().exclude(picture="").count() >= 30
    assert loaded["Document"] == 20 and loaded["Poll"] == 3
    password = (tmp_path / "demo-admin-password").read_text()
    assert f"login: admin  password: {password}" in first.getvalue()
    assert get_user_model().objects.get(username="admin").check_password(password)

    second = io.StringIO()
    call_command("demo", no_serve=True, stdout=second)
    assert counts() == loaded
    assert f"password: {password}" in second.getvalue()
