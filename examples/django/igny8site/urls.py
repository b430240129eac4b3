"""URLs: the settings API under /api/v1/, and Django's admin (memberships, users, login)."""

from django.contrib import admin
from django.urls import include, path, re_path

from settingsapi.api import not_found

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("settingsapi.urls")),
    re_path(r"^api/", not_found),  # a JSON 404 for any other API path, whatever DEBUG says
]

handler500 = "settingsapi.api.server_error"
