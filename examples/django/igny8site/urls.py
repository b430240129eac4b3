"""URLs: the settings API under /api/v1/, the two pages, Django's login views and admin
(memberships, users)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from settingsapi import pages
from settingsapi.api import not_found

urlpatterns = [
    # the pages (before admin/, which would take admin/igny8/... for one of its own)
    path("settings/integration/", pages.integration_settings, name="integration-settings"),
    path("settings/integration", pages.integration_settings),  # the spelling, without a redirect
    path("admin/igny8/monitoring/", pages.monitoring, name="monitoring"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(next_page="login"), name="logout"),
    path("", RedirectView.as_view(pattern_name="integration-settings"), name="home"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("settingsapi.urls")),
    re_path(r"^api/", not_found),  # a JSON 404 for any other API path, whatever DEBUG says
]

handler500 = "settingsapi.api.server_error"
