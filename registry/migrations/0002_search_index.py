from django.db import migrations


def install_search(apps, schema_editor):
    from registry.search.backends import PostgresBackend, SQLiteBackend

    backend = PostgresBackend() if schema_editor.connection.vendor == "postgresql" else SQLiteBackend()
    with schema_editor.connection.cursor() as cursor:
        backend.install(cursor)


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(install_search, migrations.RunPython.noop)]
