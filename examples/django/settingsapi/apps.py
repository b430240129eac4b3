from django.apps import AppConfig


class SettingsApiConfig(AppConfig):
    name = "settingsapi"
    verbose_name = "igny8 settings API"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.core.signals import setting_changed

        from . import store

        # A changed IGNY8_STORE (override_settings in tests) drops the open store.
        setting_changed.connect(store.on_setting_changed, dispatch_uid="igny8-store-path")
