"""The settings API, under /api/v1/ (see README.md for every path)."""

from django.urls import path, register_converter

from . import views as v
from .api import ACCOUNT, PUBLIC, STAFF, USER, endpoint


class LibraryKind:
    """author-profiles | strategies in the URL; the bindings' kind in the view."""
    regex = "author-profiles|strategies"
    _KINDS = {"author-profiles": "author_profile", "strategies": "strategy"}

    def to_python(self, value):
        return self._KINDS[value]

    def to_url(self, value):
        return {kind: segment for segment, kind in self._KINDS.items()}.get(value, value)


class Id:
    """A positive 64-bit id (at most 18 digits, so it always fits)."""
    regex = "[1-9][0-9]{0,17}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


class Version(Id):
    """A prompt version (a C int: at most 9 digits)."""
    regex = "[1-9][0-9]{0,8}"


class Name:
    """An integration, operation, prompt type or access group: anything but '/' and NUL
    (the library says whether it exists)."""
    regex = r"[^/\x00]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(LibraryKind, "kind")
register_converter(Id, "id")
register_converter(Version, "version")
register_converter(Name, "name")

S, A, L = "system/", "admin/", "system/library/<kind:kind>/"

urlpatterns = [
    # session
    path("auth/csrf/", endpoint(PUBLIC, GET=v.csrf)),
    path("auth/login/", endpoint(PUBLIC, POST=v.login)),
    path("auth/logout/", endpoint(PUBLIC, POST=v.logout)),
    path("auth/me/", endpoint(USER, GET=v.me)),
    # integrations and the resolver preview (the account's)
    path(S + "settings/integrations/", endpoint(ACCOUNT, GET=v.integrations)),
    # before <name:integration>/, which would take "test-connection" for an integration;
    # the view checks staff (the platform's key) or the account (its own key)
    path(S + "settings/integrations/test-connection/", endpoint(USER, POST=v.test_connection)),
    path(S + "settings/integrations/<name:integration>/",
         endpoint(ACCOUNT, GET=v.integration, PUT=v.put_integration)),
    path(S + "settings/integrations/<name:integration>/reset/", endpoint(ACCOUNT, POST=v.reset_integration)),
    path(S + "resolve/<name:operation>/", endpoint(ACCOUNT, GET=v.resolve)),
    # plans and fallbacks: the account's (its access is read-only; its chains are its own)
    path(S + "access/", endpoint(ACCOUNT, GET=v.account_access)),
    path(S + "fallbacks/", endpoint(ACCOUNT, GET=v.account_fallbacks, PUT=v.put_account_fallbacks)),
    path(S + "models/", endpoint(ACCOUNT, GET=v.choosable_models)),
    # module settings (the account's overrides)
    path(S + "module-settings/", endpoint(ACCOUNT, GET=v.modules, PUT=v.put_modules)),
    # prompts (the account's)
    path(S + "prompts/", endpoint(ACCOUNT, GET=v.account_prompts)),
    path(S + "prompts/<name:prompt_type>/", endpoint(ACCOUNT, GET=v.account_prompt, PUT=v.customize_prompt)),
    path(S + "prompts/<name:prompt_type>/reset/", endpoint(ACCOUNT, POST=v.reset_prompt)),
    # author profiles and strategies: the library and the account's copies
    path(L, endpoint(ACCOUNT, GET=v.library)),
    path(L + "copies/", endpoint(ACCOUNT, GET=v.library_copies)),
    path(L + "copies/<id:copy_id>/",
         endpoint(ACCOUNT, GET=v.library_copy, PUT=v.update_library_copy, DELETE=v.delete_library_copy)),
    path(L + "copies/<id:copy_id>/reset/", endpoint(ACCOUNT, POST=v.reset_library_copy)),
    path(L + "<id:item_id>/", endpoint(ACCOUNT, GET=v.library_item)),
    path(L + "<id:item_id>/clone/", endpoint(ACCOUNT, POST=v.clone_library_item)),
    # staff: global settings and keys
    path(A + "global-settings/", endpoint(STAFF, GET=v.global_settings, PUT=v.put_global_settings)),
    path(A + "global-settings/keys/<name:integration>/",
         endpoint(STAFF, PUT=v.put_global_key, DELETE=v.delete_global_key)),
    # staff: operations (health, last connection tests, audit log, any account's resolution)
    path(A + "health/", endpoint(STAFF, GET=v.health)),
    path(A + "connection-status/", endpoint(STAFF, GET=v.connection_status)),
    path(A + "audit/", endpoint(STAFF, GET=v.audit)),
    path(A + "resolve/<name:operation>/", endpoint(STAFF, GET=v.admin_resolve)),
    # staff: plans (access groups), an account's access, the platform's fallback chains
    path(A + "access-groups/", endpoint(STAFF, GET=v.access_groups)),
    path(A + "access-groups/<name:name>/",
         endpoint(STAFF, GET=v.access_group, PUT=v.put_access_group, DELETE=v.delete_access_group)),
    path(A + "accounts/<id:account_id>/access/",
         endpoint(STAFF, GET=v.admin_account_access, PUT=v.put_admin_account_access)),
    path(A + "fallbacks/", endpoint(STAFF, GET=v.platform_fallbacks, PUT=v.put_platform_fallbacks)),
    # staff: prompts
    path(A + "prompts/", endpoint(STAFF, GET=v.admin_prompts)),
    path(A + "prompts/<name:prompt_type>/versions/", endpoint(STAFF, GET=v.prompt_versions, POST=v.commit_prompt)),
    path(A + "prompts/<name:prompt_type>/versions/<version:version>/", endpoint(STAFF, GET=v.prompt_version)),
    path(A + "prompts/<name:prompt_type>/publish/", endpoint(STAFF, POST=v.publish_prompt)),
    path(A + "prompts/<name:prompt_type>/diff/", endpoint(STAFF, GET=v.prompt_diff)),
    path(A + "prompts/<name:prompt_type>/render/", endpoint(STAFF, POST=v.render_prompt)),
    path(A + "prompts/<name:prompt_type>/stale/", endpoint(STAFF, GET=v.stale_prompt_accounts)),
    # staff: the library
    path(A + "library/<kind:kind>/", endpoint(STAFF, GET=v.library, POST=v.create_library_item)),
    path(A + "library/<kind:kind>/bulk-clone/", endpoint(STAFF, POST=v.bulk_clone)),
    path(A + "library/<kind:kind>/<id:item_id>/", endpoint(STAFF, GET=v.library_item, PUT=v.update_library_item)),
]
