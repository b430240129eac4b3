"""Settings of the igny8 settings example (Django 3.2 to 5.x, no third-party packages).

Everything that differs between machines comes from the environment:
  DJANGO_SECRET_KEY   the secret key (a development default otherwise: never deploy it)
  DJANGO_DEBUG        "1" for debug pages
  DJANGO_ALLOWED_HOSTS comma-separated host names (default: localhost names)
  DJANGO_DB_PATH      the SQLite file of Django's own tables (auth, sessions, memberships)
  IGNY8_STORE    the libigny8settings store: an SQLite file of its own, ":memory:", or a
                 PostgreSQL URL (postgresql://user@host/db?sslmode=verify-full) shared by every host
  IGNY8_STORE_SCHEMA  PostgreSQL: the schema of the store (default: igny8settings)
  IGNY8_LIBRARY       read by the bindings: the path of libigny8settings.so
  DJANGO_STATIC_ROOT  where collectstatic puts the pages' CSS and scripts (deployments)
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-only-insecure-igny8-example-key-do-not-deploy")
DEBUG = os.environ.get("DJANGO_DEBUG", "") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "settingsapi",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "igny8site.urls"
WSGI_APPLICATION = "igny8site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Django's own tables only; the settings themselves live in the igny8 store below.
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("DJANGO_DB_PATH", str(BASE_DIR / "db.sqlite3")),
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The libigny8settings store: one igny8settings.Store per process (settingsapi/store.py).
IGNY8_STORE = os.environ.get("IGNY8_STORE", str(BASE_DIR / "igny8-settings.db"))
IGNY8_STORE_SCHEMA = os.environ.get("IGNY8_STORE_SCHEMA") or None
# How long a write waits for another process's write (0: the library's default, 5 s).
IGNY8_BUSY_TIMEOUT_MS = int(os.environ.get("IGNY8_BUSY_TIMEOUT_MS", "0"))

# The API keeps Django's CSRF protection (session cookies would otherwise let any site
# post to it): clients send the csrftoken cookie's value in X-CSRFToken, and a refusal
# is the API's JSON error rather than Django's HTML page.
CSRF_FAILURE_VIEW = "settingsapi.api.csrf_failure"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# `manage.py collectstatic` copies the pages' CSS and scripts here, for the web server.
STATIC_ROOT = os.environ.get("DJANGO_STATIC_ROOT") or None

# The pages (/settings/integration/, /admin/igny8/monitoring/) use Django's login views.
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "integration-settings"
