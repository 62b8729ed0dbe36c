"""The editors' role: what a newsroom editor needs and nothing more
(no users, no groups, no deleting sections, polls or subscribers)."""

EDITORS_GROUP = "Редактори"
EDITOR_PERMISSIONS = {
    "news": ["add_article", "change_article", "delete_article", "view_article", "view_category"],
    "polls": ["add_poll", "change_poll", "view_poll", "add_choice", "change_choice", "view_choice"],
    "newsletter": ["add_mailing", "change_mailing", "view_mailing", "view_subscriber"],
}


def editors_group_sync(group_model, permission_model):
    """Create the group (or bring it up to date) with exactly these permissions.
    Takes the models as arguments so that migrations can pass historical ones."""
    group, _ = group_model.objects.get_or_create(name=EDITORS_GROUP)
    permissions = [
        permission
        for app_label, codenames in EDITOR_PERMISSIONS.items()
        for permission in permission_model.objects.filter(
            content_type__app_label=app_label, codename__in=codenames
        )
    ]
    group.permissions.set(permissions)
    return group


def editors_group_migrate(apps, schema_editor):
    """Migration step: make the permissions now (Django normally makes them
    after all migrations) and bring the group up to date."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    editors_group_sync(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))
