from django.apps import AppConfig


class PeerConfig(AppConfig):
    name = "peer"
    default_auto_field = "django.db.models.AutoField"
