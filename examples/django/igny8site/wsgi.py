"""WSGI entry point, e.g. `gunicorn igny8site.wsgi` (each worker opens its own store
on its first request: settingsapi/store.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "igny8site.settings")

application = get_wsgi_application()
