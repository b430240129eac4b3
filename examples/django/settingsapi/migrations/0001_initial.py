import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AccountMembership",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("account_id", models.BigIntegerField(
                    db_index=True,
                    help_text="The platform account this user acts for (several users may share one).",
                    validators=[django.core.validators.MinValueValidator(1),
                                django.core.validators.MaxValueValidator(9223372036854775807)])),
                ("user", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE,
                                              related_name="igny8_membership", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "verbose_name": "account membership",
            },
        ),
    ]
