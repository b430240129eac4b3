from django.contrib import admin

from .models import AccountMembership


@admin.register(AccountMembership)
class AccountMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "account_id")
    search_fields = ("user__username",)
