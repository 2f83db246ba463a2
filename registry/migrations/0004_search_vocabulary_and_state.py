from django.db import migrations, models


def install_search(apps, schema_editor):
    """The typo vocabulary tables now exist on both backends (SQLite used to read fts5vocab per process)."""
    from registry.search.backends import PostgresBackend, SQLiteBackend

    backend = PostgresBackend() if schema_editor.connection.vendor == "postgresql" else SQLiteBackend()
    with schema_editor.connection.cursor() as cursor:
        backend.install(cursor)


class Migration(migrations.Migration):
    # The stored search keys are re-folded after migrate, by registry.apps (post_migrate), with the code's
    # current normalisation: a migration would freeze today's folding into history.
    dependencies = [("registry", "0003_import_journal")]
    operations = [
        migrations.CreateModel(
            name="SearchIndexState",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("normalisation_version", models.PositiveIntegerField(default=0)),
                ("refolded_at", models.DateTimeField(blank=True, null=True)),
            ],
        ),
        migrations.RunPython(install_search, migrations.RunPython.noop),
    ]
