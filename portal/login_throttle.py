"""The username django-axes counts failed logins under (issue #7).

Django's login form lets a username longer than the user model's 150
characters reach ``authenticate()``, and axes stores it in a 255-character
column: on PostgreSQL a 1 000-character username was a 500. NUL characters
cannot be stored in PostgreSQL text at all. No real username has either, so
the counter key is the cleaned, shortened name.
"""

from django.contrib.auth import get_user_model

USERNAME_FIELD = "username"


def axes_username(request, credentials=None) -> str:
    if credentials:
        value = credentials.get(USERNAME_FIELD, "")
    else:
        value = request.POST.get(USERNAME_FIELD, "") if request is not None else ""
    limit = get_user_model()._meta.get_field(get_user_model().USERNAME_FIELD).max_length or 150
    return str(value or "").replace("\x00", "")[: limit + 1]
