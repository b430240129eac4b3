"""Which platform account a Django user acts for: the platform's user -> account mapping.

The accounts themselves are the host's; the igny8 store only ever sees their 64-bit ids."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class AccountMembership(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="igny8_membership")
    account_id = models.BigIntegerField(
        db_index=True, validators=[MinValueValidator(1), MaxValueValidator(2**63 - 1)],
        help_text="The platform account this user acts for (several users may share one).")

    class Meta:
        verbose_name = "account membership"

    def __str__(self):
        return f"{self.user} -> account {self.account_id}"
