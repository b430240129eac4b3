"""The library's settings tables, mapped the way a Django developer maps an existing
database: unmanaged models (`managed = False`, `db_table` set, no migrations), foreign
keys where the schema has REFERENCES (src/sqlite/schema.c and src/postgres/schema.c,
migration 0 -> 1).

Composite primary keys. account_integration, account_provider and
account_operation_model are keyed by (account_id, <second column>) and are WITHOUT ROWID
tables, so there is no rowid to use either. Django 3.2 has no composite primary keys;
the usual trick for read-only access is to declare `account_id` as the primary key.
That is a lie Django believes: two rows of one account look like "the same object" to
it, so .save(), .delete(), .refresh_from_db() and identity comparisons would be wrong.
This peer only reads, and always filters by both key columns (or, to list an account's
rows, by account_id alone and keys them by the second column itself), which is safe.

The schema's one composite foreign key, model (provider, model_type) -> integration
(provider, model_type), cannot be a ForeignKey either; Model.integration looks it up.

Flags. The schema keeps is_active, is_default and enabled as INTEGER 0/1 on both
backends (src/sqlite/schema.c, src/postgres/schema.c), not as a boolean type: they are
IntBooleanField, read as bool and compared as 0/1.

The same models serve both backends: PostgreSQL's tables have the same names and
columns, in the store's schema (settings.py puts it on the search_path).
"""

from django.db import models
from django.utils.functional import cached_property


class IntBooleanField(models.IntegerField):
    """A flag kept as INTEGER 0/1. A BooleanField would do on SQLite only: Django compiles
    filter(flag=True) to a bare `WHERE flag`, which PostgreSQL refuses for an integer."""

    def from_db_value(self, value, expression, connection):
        return None if value is None else bool(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return None if value is None else int(bool(value))


class Provider(models.Model):
    name = models.TextField(primary_key=True)
    display_name = models.TextField()
    connection_test = models.TextField(default="none")
    default_base_url = models.TextField(null=True)

    class Meta:
        managed = False
        db_table = "provider"


class Model(models.Model):
    """AIModelConfig: one row of the model registry."""
    model_name = models.TextField(primary_key=True)
    display_name = models.TextField()
    provider = models.TextField()
    model_type = models.TextField()  # "text" | "image"
    input_cost_per_1k = models.FloatField(null=True)
    output_cost_per_1k = models.FloatField(null=True)
    cost_per_image = models.FloatField(null=True)
    tokens_per_credit = models.IntegerField(null=True)
    credits_per_image = models.IntegerField(null=True)
    max_output_tokens = models.IntegerField(null=True)
    is_active = IntBooleanField(default=True)
    is_default = IntBooleanField(default=False)
    updated_at = models.TextField()
    updated_by = models.TextField()

    class Meta:
        managed = False
        db_table = "model"

    def __str__(self):
        return self.model_name

    @cached_property
    def integration(self):
        """The integration this model belongs to: the one of its provider and type
        (FOREIGN KEY (provider, model_type) in the schema), with its key_from."""
        return Integration.objects.select_related("key_from").get(provider_id=self.provider,
                                                                  model_type=self.model_type)


class Integration(models.Model):
    """The platform's settings of one integration (provider + model type)."""
    name = models.TextField(primary_key=True)
    provider = models.ForeignKey(Provider, models.DO_NOTHING, db_column="provider", related_name="integrations")
    model_type = models.TextField()
    key_from = models.ForeignKey("self", models.DO_NOTHING, db_column="key_from", null=True, related_name="+")
    api_key = models.TextField(null=True)
    base_url = models.TextField(null=True)
    default_model = models.ForeignKey(Model, models.DO_NOTHING, to_field="model_name", db_column="default_model",
                                      null=True, related_name="+")
    temperature = models.FloatField(null=True)
    max_tokens = models.IntegerField(null=True)
    size = models.TextField(null=True)
    quality = models.TextField(null=True)
    style = models.TextField(null=True)
    updated_at = models.TextField(null=True)
    updated_by = models.TextField(null=True)

    class Meta:
        managed = False
        db_table = "integration"

    def __str__(self):
        return self.name


class GlobalSettings(models.Model):
    """The platform's one row (id = 1)."""
    id = models.IntegerField(primary_key=True)
    is_active = IntBooleanField(default=True)
    text_integration = models.ForeignKey(Integration, models.DO_NOTHING, db_column="text_integration", null=True,
                                         related_name="+")
    image_integration = models.ForeignKey(Integration, models.DO_NOTHING, db_column="image_integration", null=True,
                                          related_name="+")
    updated_at = models.TextField(null=True)
    updated_by = models.TextField(null=True)

    class Meta:
        managed = False
        db_table = "global_settings"

    @classmethod
    def load(cls):
        return cls.objects.get(pk=1)


class Operation(models.Model):
    name = models.TextField(primary_key=True)
    model_type = models.TextField()
    description = models.TextField(null=True)

    class Meta:
        managed = False
        db_table = "operation"


class AccountIntegration(models.Model):
    """An account's settings of one integration. Real key: (account_id, integration)."""
    account_id = models.BigIntegerField(primary_key=True)  # read-only trick, see the module docstring
    integration = models.ForeignKey(Integration, models.DO_NOTHING, db_column="integration", related_name="+")
    enabled = IntBooleanField(default=True)
    model = models.ForeignKey(Model, models.DO_NOTHING, to_field="model_name", db_column="model", null=True,
                              related_name="+")
    temperature = models.FloatField(null=True)
    max_tokens = models.IntegerField(null=True)
    size = models.TextField(null=True)
    quality = models.TextField(null=True)
    style = models.TextField(null=True)
    api_key = models.TextField(null=True)
    updated_at = models.TextField()
    updated_by = models.TextField()

    class Meta:
        managed = False
        db_table = "account_integration"


class AccountProvider(models.Model):
    """An account's provider (integration) for a model type. Real key: (account_id, model_type)."""
    account_id = models.BigIntegerField(primary_key=True)  # read-only trick, see the module docstring
    model_type = models.TextField()
    integration = models.ForeignKey(Integration, models.DO_NOTHING, db_column="integration", related_name="+")
    updated_at = models.TextField()
    updated_by = models.TextField()

    class Meta:
        managed = False
        db_table = "account_provider"


class AccountOperationModel(models.Model):
    """An account's model for one operation. Real key: (account_id, operation)."""
    account_id = models.BigIntegerField(primary_key=True)  # read-only trick, see the module docstring
    operation = models.ForeignKey(Operation, models.DO_NOTHING, db_column="operation", related_name="+")
    model = models.ForeignKey(Model, models.DO_NOTHING, to_field="model_name", db_column="model_name",
                              related_name="+")
    updated_at = models.TextField()
    updated_by = models.TextField()

    class Meta:
        managed = False
        db_table = "account_operation_model"
