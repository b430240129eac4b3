"""manage.py igny8_account USERNAME ACCOUNT_ID: let a user act for a platform account."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from settingsapi.models import AccountMembership


class Command(BaseCommand):
    help = "Map a Django user to the platform account it acts for (creates or changes the membership)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("account_id", type=int)

    def handle(self, *args, username, account_id, **options):
        if not 1 <= account_id < 2**63:
            raise CommandError("account_id must be a positive 64-bit integer")
        try:
            user = get_user_model().objects.get(**{get_user_model().USERNAME_FIELD: username})
        except get_user_model().DoesNotExist:
            raise CommandError(f"no user {username!r}")
        AccountMembership.objects.update_or_create(user=user, defaults={"account_id": account_id})
        self.stdout.write(f"{username} acts for account {account_id}")
