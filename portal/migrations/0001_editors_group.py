from django.db import migrations

EDITOR_PERMISSIONS = {
    "news": ["add_article", "change_article", "delete_article", "view_article", "view_category"],
}


def create_editors_group(apps, schema_editor):
    """The "Editors" group: what a newsroom editor needs and nothing more
    (no users, no groups, no deleting polls or subscribers)."""
    from django.contrib.auth.management import create_permissions

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    group, _ = Group.objects.get_or_create(name="Редактори")
    for app_label, codenames in EDITOR_PERMISSIONS.items():
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_editors_group, migrations.RunPython.noop)]
