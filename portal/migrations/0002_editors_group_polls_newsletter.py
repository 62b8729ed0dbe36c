from django.db import migrations

from portal.roles import editors_group_migrate


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0001_editors_group"),
        ("polls", "0001_initial"),
        ("newsletter", "0001_initial"),
    ]

    operations = [migrations.RunPython(editors_group_migrate, migrations.RunPython.noop)]
