"""Tests of the Python bindings (unittest, Debian's /usr/bin/python3).

Run by CTest with IGNY8_LIBRARY pointing at the built library and PYTHONPATH at
bindings/python."""

import ctypes
import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import unittest

import igny8settings as igny8
import testbackend
from igny8settings import _ffi, errors
from igny8settings._ffi import dec

FAKE_KEY = "sk-test-FAKE-python-0000wxyz"


def rss_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


class StoreTestCase(unittest.TestCase):
    def setUp(self):
        self.st = testbackend.store()
        self.st.load_defaults("test")

    def tearDown(self):
        self.st.close()


class TestLoading(unittest.TestCase):
    def test_version_matches_the_package(self):
        self.assertEqual(igny8.library_version(), igny8.__version__)
        self.assertEqual(_ffi.LIBRARY_VERSION[0], 1)

    def test_another_major_version_is_refused(self):
        with self.assertRaises(ImportError):
            _ffi.check_major((2, 0, 0, "2.0.0"))
        with self.assertRaisesRegex(ImportError, "1.0.4 is too old"):
            _ffi.check_major((1, 0, 4, "1.0.4"))
        _ffi.check_major((1, 9, 3, "1.9.3"))

    def test_every_int_function_has_errcheck_and_every_function_a_restype(self):
        for name, (restype, argtypes) in _ffi._SIGNATURES.items():
            f = getattr(_ffi.lib, name)
            self.assertEqual(f.argtypes, argtypes, name)
            self.assertIs(f.restype, restype, name)
            if restype is _ffi.I:
                self.assertIs(f.errcheck, _ffi._check, name)

    def test_the_resolve_path_has_its_own_functions_without_errcheck(self):
        # Store.resolve checks the codes itself; the declared functions keep errcheck.
        for name in _ffi._FAST:
            f = getattr(_ffi.fast, name[len("igny8_"):])
            self.assertIsNot(f, getattr(_ffi.lib, name))
            self.assertEqual((f.restype, f.argtypes), _ffi._SIGNATURES[name], name)
            self.assertIsNone(f.errcheck, name)

    def test_installs_offline_with_pip(self):
        source = os.path.join(os.path.dirname(__file__), "..", "..", "bindings", "python")
        with tempfile.TemporaryDirectory() as target, tempfile.TemporaryDirectory() as work:
            root = shutil.copytree(source, os.path.join(work, "src"))  # pip builds in place: not in the tree
            out = subprocess.run([sys.executable, "-m", "pip", "install", "--no-build-isolation", "--no-index",
                                  "--no-deps", "--quiet", "--target", target, root],
                                 capture_output=True, text=True)
            self.assertEqual(out.returncode, 0, out.stderr)
            env = dict(os.environ, PYTHONPATH=target)
            check = subprocess.run([sys.executable, "-c", "import igny8settings, sys; "
                                    "sys.stdout.write(igny8settings.__file__)"],
                                   capture_output=True, text=True, env=env, cwd=target)
            self.assertEqual(check.returncode, 0, check.stderr)
            self.assertTrue(check.stdout.startswith(target), check.stdout)
            self.assertTrue(os.path.exists(os.path.join(target, "igny8settings", "py.typed")))


class TestErrors(StoreTestCase):
    def test_validation_error_is_a_value_error_with_code_and_field(self):
        with self.assertRaises(ValueError) as cm:
            self.st.put_integration("t", 7, "openai", {"temperature": 9})
        e = cm.exception
        self.assertIsInstance(e, igny8.ValidationError)
        self.assertEqual(e.code, errors.EINVAL)
        self.assertEqual(e.field, "temperature")
        self.assertIn("temperature 9", str(e))

    def test_not_found_is_a_lookup_error(self):
        with self.assertRaises(LookupError) as cm:
            self.st.resolve(7, "juggling")
        self.assertIsInstance(cm.exception, igny8.NotFoundError)
        self.assertEqual(cm.exception.field, "operation")

    def test_conflict(self):
        with self.assertRaises(igny8.ConflictError) as cm:
            self.st.add_module("t", "planner")
        self.assertEqual(cm.exception.code, errors.EEXISTS)

    @unittest.skipIf(testbackend.postgres(), "SQLite's files (test_postgres.c covers the server's cases)")
    def test_store_errors(self):
        with tempfile.TemporaryDirectory() as d:
            junk = os.path.join(d, "junk.db")
            with open(junk, "wb") as f:
                f.write(os.urandom(8192))
            with self.assertRaises(igny8.StoreError) as cm:
                igny8.Store(junk)
            self.assertEqual(cm.exception.code, errors.ECORRUPT)
            with self.assertRaises(igny8.StoreError) as cm:
                igny8.Store(os.path.join(d, "missing.db"), create=False)
            self.assertEqual(cm.exception.code, errors.EIO)
            path = os.path.join(d, "s.db")
            igny8.Store(path).close()
            with igny8.Store(path, readonly=True) as ro:
                with self.assertRaises(igny8.StoreError) as cm:
                    ro.add_module("t", "extra")
                self.assertEqual(cm.exception.code, errors.EREADONLY)

    def test_every_code_maps_to_its_class(self):
        self.assertIsInstance(errors.error_for(errors.ENOMEM, "out of memory", None), MemoryError)
        self.assertIsInstance(errors.error_for(errors.EVERSION, "newer", "path"), igny8.StoreError)
        self.assertIsInstance(errors.error_for(errors.EBUSY, "busy", None), igny8.StoreError)
        self.assertIs(type(errors.error_for(errors.ERROR, "", None)), igny8.Igny8Error)
        self.assertEqual(str(errors.error_for(-99, "", None)), "no message provided")

    def test_arguments_c_would_mangle_are_refused(self):
        with self.assertRaises(ValueError):
            self.st.integration(2 ** 64 + 7, "openai")
        with self.assertRaises(TypeError):
            self.st.integration("7", "openai")
        with self.assertRaises(ValueError):
            self.st.integration(7, "open\0ai")

    def test_closed_store_and_resolution(self):
        st = testbackend.store()
        st.close()
        st.close()  # twice is fine
        with self.assertRaises(ValueError):
            st.operations()
        r = self.st.resolve(7, "clustering")
        r.close()
        r.close()  # twice is fine
        for name in ("model", "provider", "integration", "model_type", "operation", "source", "temperature",
                     "max_tokens", "size", "quality", "style", "base_url", "api_key_source", "fallbacks"):
            with self.assertRaises(ValueError, msg=name):
                getattr(r, name)
        for call in (r.api_key, r.to_dict):
            with self.assertRaises(ValueError):
                call()
        self.assertEqual(repr(r), "<Resolution closed>")


class TestResolveArguments(StoreTestCase):
    def test_bad_arguments_give_the_errors_they_gave(self):
        for account, operation, error, field in [
                (True, "clustering", TypeError, None), ("7", "clustering", TypeError, None),
                (2 ** 63, "clustering", ValueError, None), (0, "clustering", igny8.ValidationError, "account_id"),
                (7, b"clustering", TypeError, None), (7, ["clustering"], TypeError, None),
                (7, "clus\0tering", ValueError, None), (7, None, igny8.ValidationError, "operation"),
                (7, "juggling", igny8.NotFoundError, "operation")]:
            with self.assertRaises(error, msg=(account, operation)) as cm:
                self.st.resolve(account, operation)
            if field:
                self.assertEqual(cm.exception.field, field)
        with self.assertRaises(igny8.ValidationError) as cm:
            self.st.resolve(7, "ideas", "no-such-model")
        self.assertEqual(cm.exception.field, "model")
        self.assertEqual(self.st.resolve(2 ** 63 - 1, "clustering").model, "gpt-4o-mini")

    def test_encoded_operations_are_bounded(self):
        from igny8settings import _store
        for i in range(2 * _store._OPERATIONS_MAX):
            with self.assertRaises(igny8.NotFoundError):
                self.st.resolve(7, f"made-up-{i}")
        self.assertLessEqual(len(_store._OPERATIONS), _store._OPERATIONS_MAX)
        self.assertEqual(self.st.resolve(7, "ideas").operation, "ideas")  # still resolves, cached or not
        self.assertNotIn(None, _store._OPERATIONS)


class TestBaseUrl(unittest.TestCase):
    """A base URL gets the key in every request: plain http:// to another host than this
    machine is refused unless the store is opened with allow_http=True."""

    REMOTE = {"integrations": {"openai": {"base_url": "http://proxy.internal:3128/v1"}}}

    def test_plain_http_to_another_host_needs_allow_http(self):
        with testbackend.store() as st:
            st.load_defaults("test")
            with self.assertRaises(igny8.ValidationError) as cm:
                st.put_global_settings("t", self.REMOTE)
            self.assertEqual(cm.exception.field, "integrations.openai.base_url")
            self.assertIn("IGNY8_STORE_ALLOW_HTTP", cm.exception.message)
            self.assertNotIn("proxy.internal", cm.exception.message)
            loopback = st.put_global_settings("t", {"integrations": {"openai": {"base_url": "http://[::1]:8080/v1"}}})
            self.assertEqual(loopback["integrations"]["openai"]["base_url"], "http://[::1]:8080/v1")
        with testbackend.store(allow_http=True) as st:
            st.load_defaults("test")
            body = st.put_global_settings("t", self.REMOTE)
            self.assertEqual(body["integrations"]["openai"]["base_url"], "http://proxy.internal:3128/v1")


class TestSurface(StoreTestCase):
    def test_resolution_attributes_and_trace(self):
        self.st.set_global_key("ops", "openai", FAKE_KEY)
        self.st.put_integration("alice", 7, "openai", {"model": "gpt-4o", "temperature": 0.3})
        with self.st.resolve(7, "clustering") as r:
            self.assertEqual((r.model, r.provider, r.integration, r.model_type), ("gpt-4o", "openai", "openai", "text"))
            self.assertEqual(r.source, "account_integration")
            self.assertAlmostEqual(r.temperature, 0.3)
            self.assertEqual(r.max_tokens, 8192)
            self.assertIsNone(r.size)
            self.assertEqual(r.api_key_source, "global")
            self.assertEqual(r.api_key(), FAKE_KEY)
            self.assertNotIn("FAKE", repr(r))
            self.assertNotIn("FAKE", json.dumps(r.to_dict()))
            self.assertEqual([lvl["status"] for lvl in r.trace["levels"]],
                             ["skipped", "skipped", "used", "not_reached", "not_reached"])
        with self.st.resolve(7, "image_generation") as r:
            self.assertEqual((r.size, r.quality, r.style), ("1024x1024", "standard", "vivid"))
            self.assertIsNone(r.temperature)

    def test_resolution_fields_are_the_getters(self):
        # The attributes come from one igny8_resolution_view: the same values the getters give.
        fn = _ffi.fn
        self.st.set_global_key("ops", "openai", FAKE_KEY)
        self.st.put_global_settings("ops", {"integrations": {"openai": {"base_url": "http://127.0.0.1:18080/v1"}}})
        self.st.put_integration("alice", 7, "openai", {"temperature": 0.25, "max_tokens": 1500})
        self.st.put_integration("alice", 7, "dalle", {"size": "1792x1024", "style": "natural"})
        cases = [("clustering", None), ("ideas", "claude-3-sonnet"), ("image_generation", None),
                 ("ideas", "gpt-4-turbo-preview")]
        for operation, model in cases:
            with self.st.resolve(7, operation, model) as r:
                h = r._h
                t = fn.resolution_temperature(h)
                self.assertEqual(
                    (r.model, r.provider, r.integration, r.operation, r.source, r.max_tokens, r.size, r.quality,
                     r.style, r.base_url, r.model_type, r.api_key_source),
                    (dec(fn.resolution_model_name(h)), dec(fn.resolution_provider(h)),
                     dec(fn.resolution_integration(h)), dec(fn.resolution_operation(h)),
                     dec(fn.resolution_source_name(h)), fn.resolution_max_tokens(h) or None,
                     dec(fn.resolution_size(h)), dec(fn.resolution_quality(h)), dec(fn.resolution_style(h)),
                     dec(fn.resolution_base_url(h)), {1: "text", 2: "image"}[fn.resolution_model_type(h)],
                     ("none", "account", "global")[fn.resolution_api_key_source(h)]), operation)
                self.assertEqual(r.temperature, None if t != t else t)
                levels = [None, "request", "account_operation", "account_integration", "global_default",
                          "system_default"]
                self.assertEqual(r._v.source, levels.index(r.source))
                self.assertNotIn("FAKE", repr(r))
        with self.st.resolve(7, "image_generation") as r:  # NaN and 0 in C: not set
            self.assertEqual((r.temperature, r.max_tokens, r.size, r.style), (None, None, "1792x1024", "natural"))
        with self.st.resolve(7, "clustering") as r:
            self.assertEqual((r.temperature, r.max_tokens, r.base_url), (0.25, 1500, "http://127.0.0.1:18080/v1"))

    def test_resolution_view_mirrors_the_c_struct(self):
        # ResolutionView is made in Python, not by igny8_resolution_view_init: the same bytes.
        made = _ffi.ResolutionView()
        made.version = _ffi.RESOLUTION_VIEW_VERSION
        by_c = _ffi.ResolutionView()
        ctypes.memset(ctypes.byref(by_c), 0xA5, ctypes.sizeof(by_c))
        _ffi.fn.resolution_view_init(ctypes.byref(by_c), _ffi.RESOLUTION_VIEW_VERSION)
        self.assertEqual(bytes(made), bytes(by_c))
        with self.assertRaises(igny8.ValidationError) as cm:
            _ffi.fn.resolution_view_init(ctypes.byref(by_c), _ffi.RESOLUTION_VIEW_VERSION + 1)
        self.assertEqual(cm.exception.field, "version")

    def test_reset_integration_returns_the_new_get_body(self):
        self.st.put_integration("alice", 7, "openai", {"model": "gpt-4o", "enabled": False})
        body = self.st.reset_integration("alice", 7, "openai")
        self.assertEqual(body, self.st.integration(7, "openai"))
        # the overrides go; enabled is kept
        self.assertEqual((body["model"], body["enabled"]), ("gpt-4o-mini", False))

    def test_views_are_dicts_and_keys_are_masked(self):
        self.st.set_global_key("ops", "anthropic", FAKE_KEY)
        g = self.st.global_settings()
        self.assertEqual(g["integrations"]["anthropic"]["api_key"], {"configured": True, "last4": "wxyz",
                                                                    "from": "anthropic"})
        self.assertNotIn("FAKE", json.dumps(g))
        self.assertEqual(len(self.st.integrations(7)), 4)
        self.assertEqual(len(self.st.operations()), 11)
        self.assertTrue(self.st.module_enabled(7, "planner"))
        self.st.set_account_module("t", 7, "planner", False)
        self.assertFalse(self.st.module_enabled(7, "planner"))
        self.assertEqual(self.st.put_modules("t", 7, {"planner": None})["account_id"], 7)
        self.assertTrue(self.st.module_enabled(7, "planner"))
        self.assertGreater(len(self.st.audit(limit=5)), 0)
        self.assertNotIn("FAKE", json.dumps(self.st.audit(limit=1000)))

    def test_models_and_cost(self):
        self.assertEqual(self.st.model("gpt-4o-mini")["is_default"], True)
        self.assertEqual({m["model_name"] for m in self.st.models(provider="runware")},
                         {"runware:100@1", "runware:101@1"})
        self.assertEqual(self.st.estimate_cost("dall-e-3", images=3), {"usd": 0.12, "credits": 15})
        m = self.st.add_model("ops", {"model_name": "free-text", "provider": "openai", "model_type": "text"})
        self.assertIsNone(m["input_cost_per_1k"])
        with self.assertRaises(igny8.NotFoundError) as cm:
            self.st.estimate_cost("free-text", input_tokens=10)
        self.assertEqual(cm.exception.field, "input_cost_per_1k")

    def test_prompts(self):
        v = self.st.commit_prompt("ed", "ideas", "Ideas about {topic}", message="short", publish=True)
        self.assertEqual((v["version"], v["variables"], v["published"]), (2, ["topic"], True))
        self.assertEqual(self.st.render_prompt(7, "ideas", {"topic": "tea", "n": 3.0}), "Ideas about tea")
        self.st.customize_prompt("alice", 7, "ideas", "Mine: {topic}")
        self.assertFalse(self.st.account_prompt(7, "ideas")["stale"])
        self.st.commit_prompt("ed", "ideas", "Newer ideas about {topic}", publish=True)
        self.assertTrue(self.st.account_prompt(7, "ideas")["stale"])
        self.assertEqual(self.st.stale_prompt_accounts("ideas")["accounts"], [{"account_id": 7, "based_on_version": 2}])
        self.assertIn("+Ideas about {topic}", self.st.prompt_diff("ideas", 1, 2))
        self.assertFalse(self.st.reset_prompt("alice", 7, "ideas")["is_customized"])
        self.assertEqual(igny8.render_template("{a}{{b}}", {"a": True}), "True{b}")
        self.assertEqual(igny8.template_variables("{x} {y} {x}"), ["x", "y"])
        with self.assertRaises(igny8.ValidationError) as cm:
            igny8.render_template("{missing}", {})
        self.assertEqual(cm.exception.field, "missing")


STARTER = ["gpt-4o-mini", "claude-3-5-haiku-20241022"]


class PlansTestCase(StoreTestCase):
    """The plan calls of 1.3 (access.h): what every write changes, and what a refused one does not."""

    def state(self):
        """Everything a plan write could change, and the audit log's length."""
        return (self.st.access_groups(), self.st.account_access(42), self.st.fallbacks(0), self.st.fallbacks(42),
                len(self.st.audit(limit=10000)))

    def assertRefused(self, error, field, call, *args, **kwargs):
        """call raises error naming field, and writes nothing."""
        before = self.state()
        with self.assertRaises(error) as cm:
            call(*args, **kwargs)
        self.assertEqual(cm.exception.field, field, cm.exception.message)
        self.assertEqual(self.state(), before)
        return cm.exception


class TestAccessGroups(PlansTestCase):
    def test_set_get_list_and_put(self):
        self.assertEqual(self.st.access_groups(), [])
        self.assertIsNone(self.st.set_access_group("ops", "starter", STARTER, "Cheap models"))
        g = self.st.access_group("starter")
        self.assertEqual((g["name"], g["description"], g["models"], g["accounts"], g["updated_by"]),
                         ("starter", "Cheap models", sorted(STARTER), 0, "ops"))
        self.assertEqual(self.st.access_groups(), [g])
        body = self.st.put_access_group("ed", "pro", {"models": ["gpt-4o", "gpt-4o-mini"]})
        self.assertEqual((body["name"], body["description"], body["models"]), ("pro", None, ["gpt-4o", "gpt-4o-mini"]))
        self.assertEqual([x["name"] for x in self.st.access_groups()], ["pro", "starter"])
        changed = self.st.put_access_group("ed", "starter", '{"description": null}')  # text bodies too
        self.assertEqual((changed["description"], changed["models"]), (None, sorted(STARTER)))  # absent: kept
        audit = len(self.st.audit(limit=10000))
        self.assertEqual(self.st.put_access_group("other", "starter", changed), changed)  # the GET body: no change
        self.assertEqual(len(self.st.audit(limit=10000)), audit)
        self.st.set_account_group("ops", 42, "starter")
        self.assertEqual(self.st.access_group("starter")["accounts"], 1)

    def test_delete(self):
        self.st.set_access_group("ops", "starter", STARTER)
        self.assertIsNone(self.st.delete_access_group("ops", "starter"))
        self.assertEqual(self.st.access_groups(), [])
        self.assertEqual(self.st.audit(entity="access_group", limit=1)[0]["action"], "delete")

    def test_errors_name_the_field_and_write_nothing(self):
        self.st.set_access_group("ops", "starter", STARTER)
        for body, field in [({"price": 1}, "price"), ({"models": "gpt-4o"}, "models"),
                            ({"models": ["gpt-4o", "gpt-9"]}, "models[1]"), ({"name": "pro"}, "name")]:
            with self.subTest(body=body):
                e = self.assertRefused(igny8.ValidationError, field, self.st.put_access_group, "ops", "starter", body)
                self.assertEqual(e.code, errors.EINVAL)
        self.assertRefused(igny8.NotFoundError, "models[1]", self.st.set_access_group, "ops", "pro", ["gpt-4o", "gpt-9"])
        self.assertRefused(igny8.ValidationError, "name", self.st.set_access_group, "ops", "two words", [])
        self.assertRefused(igny8.ValidationError, "actor", self.st.set_access_group, "", "pro", [])
        self.assertRefused(igny8.NotFoundError, "name", self.st.access_group, "pro")
        self.assertRefused(igny8.NotFoundError, "name", self.st.delete_access_group, "ops", "pro")
        with self.assertRaises(TypeError):
            self.st.set_access_group("ops", "pro", "gpt-4o")  # a str is not a list of names
        with self.assertRaises(TypeError):
            self.st.set_access_group("ops", "pro", ["gpt-4o", 7])

    def test_a_group_in_use_is_not_deleted(self):
        self.st.set_access_group("ops", "starter", STARTER)
        self.st.set_account_group("ops", 42, "starter")
        e = self.assertRefused(igny8.ConflictError, "name", self.st.delete_access_group, "ops", "starter")
        self.assertEqual(e.code, errors.EEXISTS)
        self.assertIn("1 account", e.message)
        self.st.set_account_group("ops", 42, None)
        self.st.delete_access_group("ops", "starter")
        self.assertRefused(igny8.NotFoundError, "name", self.st.access_group, "starter")


class TestAccountAccess(PlansTestCase):
    def setUp(self):
        super().setUp()
        self.st.set_access_group("ops", "starter", STARTER)

    def test_typed_calls(self):
        fresh = self.st.account_access(42)
        self.assertEqual((fresh["account_id"], fresh["group"], fresh["additions"], fresh["removals"],
                          fresh["max_cost_per_1k_tokens"], fresh["max_cost_per_image"], fresh["fallbacks"]),
                         (42, None, [], [], None, None, {}))
        self.st.set_account_group("ops", 42, "starter")
        self.st.set_account_model_access("ops", 42, "gpt-4.1", True)
        self.st.set_account_model_access("ops", 42, "gpt-4o-mini", False)
        self.st.set_account_budget("ops", 42, 0.01, max_cost_per_image=0.05)
        a = self.st.account_access(42)
        self.assertEqual((a["group"], a["additions"], a["removals"], a["max_cost_per_1k_tokens"],
                          a["max_cost_per_image"], a["allowed_models"], a["updated_by"]),
                         ("starter", ["gpt-4.1"], ["gpt-4o-mini"], 0.01, 0.05,
                          ["claude-3-5-haiku-20241022", "gpt-4.1"], "ops"))
        self.st.set_account_model_access("ops", 42, "gpt-4.1", None)     # inherit: the rule goes
        self.st.set_account_model_access("ops", 42, "gpt-4o-mini", None)
        self.st.set_account_budget("ops", 42)                             # None: no ceilings (NaN in C)
        self.st.set_account_group("ops", 42, None)
        a = self.st.account_access(42)
        self.assertEqual((a["group"], a["additions"], a["removals"], a["max_cost_per_1k_tokens"],
                          a["max_cost_per_image"]), (None, [], [], None, None))
        self.assertEqual(len(a["allowed_models"]), len(self.st.models()))
        self.assertEqual(self.st.account_access(43)["group"], None)  # only account 42's

    def test_put_and_its_round_trip(self):
        a = self.st.put_account_access("ops", 42, {"group": "starter", "additions": ["gpt-4o"],
                                                   "max_cost_per_1k_tokens": 0.02,
                                                   "fallbacks": {"ideas": ["gpt-4o-mini", "gpt-4o"]}})
        self.assertEqual((a["group"], a["additions"], a["fallbacks"], a["allowed_models"]),
                         ("starter", ["gpt-4o"], {"ideas": ["gpt-4o-mini", "gpt-4o"]},
                          ["claude-3-5-haiku-20241022", "gpt-4o", "gpt-4o-mini"]))
        self.assertEqual(self.st.account_access(42), a)
        self.assertEqual(self.st.fallbacks(42), {"ideas": ["gpt-4o-mini", "gpt-4o"]})
        audit = len(self.st.audit(limit=10000))
        self.assertEqual(self.st.put_account_access("other", 42, json.dumps(a)), a)  # the GET body: no change
        self.assertEqual(len(self.st.audit(limit=10000)), audit)
        cleared = self.st.put_account_access("ops", 42, {"group": None, "max_cost_per_1k_tokens": None})
        self.assertEqual((cleared["group"], cleared["additions"], cleared["max_cost_per_1k_tokens"]),
                         (None, ["gpt-4o"], None))  # absent: kept

    def test_errors_name_the_field_and_write_nothing(self):
        self.st.set_account_group("ops", 42, "starter")
        for body, field in [({"plan": "starter"}, "plan"), ({"group": "pro"}, "group"),
                            ({"additions": ["gpt-9"]}, "additions[0]"),
                            ({"additions": ["gpt-4o"], "removals": ["gpt-4.1", "gpt-4o"]}, "removals[1]"),
                            ({"max_cost_per_1k_tokens": -1}, "max_cost_per_1k_tokens"),
                            ({"account_id": 43}, "account_id"),
                            ({"fallbacks": {"ideas": ["gpt-4o"]}}, "fallbacks.ideas[0]")]:
            with self.subTest(body=body):
                self.assertRefused(igny8.ValidationError, field, self.st.put_account_access, "ops", 42, body)
        self.assertRefused(igny8.NotFoundError, "group", self.st.set_account_group, "ops", 42, "pro")
        self.assertRefused(igny8.NotFoundError, "model", self.st.set_account_model_access, "ops", 42, "gpt-9", True)
        self.assertRefused(igny8.ValidationError, "max_cost_per_image", self.st.set_account_budget, "ops", 42,
                           None, float("inf"))
        self.assertRefused(igny8.ValidationError, "max_cost_per_1k_tokens", self.st.set_account_budget, "ops", 42,
                           -0.5)
        self.assertRefused(igny8.ValidationError, "account_id", self.st.set_account_budget, "ops", 0, 1.0)
        self.assertRefused(igny8.ValidationError, "account_id", self.st.account_access, -3)
        for access in (1, "deny", 0):  # only True, False or None: "deny" would be truthy
            with self.assertRaises(TypeError, msg=access):
                self.st.set_account_model_access("ops", 42, "gpt-4o", access)
        with self.assertRaises(ValueError):
            self.st.account_access(2 ** 63)

    def test_choosable_models(self):
        everything = {m["model_name"] for m in self.st.models(active=True)}
        self.assertEqual({m["model_name"] for m in self.st.account_choosable_models(42)}, everything)
        self.st.set_account_group("ops", 42, "starter")
        self.st.set_account_model_access("ops", 42, "dall-e-3", True)
        self.st.set_model_active("ops", "claude-3-5-haiku-20241022", False)  # allowed, but inactive
        models = self.st.account_choosable_models(42)
        self.assertEqual([m["model_name"] for m in models], ["dall-e-3", "gpt-4o-mini"])
        self.assertEqual(models[1], [m for m in self.st.models() if m["model_name"] == "gpt-4o-mini"][0])  # same body
        self.assertEqual([m["model_name"] for m in self.st.account_choosable_models(42, model_type="image")],
                         ["dall-e-3"])
        self.assertEqual([m["model_name"] for m in self.st.account_choosable_models(42, provider="openai",
                                                                                    model_type="text")],
                         ["gpt-4o-mini"])
        self.st.set_account_budget("ops", 42, max_cost_per_image=0.01)  # dall-e-3 is 0.04 an image
        self.assertEqual([m["model_name"] for m in self.st.account_choosable_models(42)], ["gpt-4o-mini"])
        with self.assertRaises(ValueError):
            self.st.account_choosable_models(42, model_type="video")


class TestFallbackChains(PlansTestCase):
    def test_set_get_and_put(self):
        self.assertEqual((self.st.fallbacks(), self.st.fallbacks(42)), ({}, {}))
        self.st.set_fallback_chain("ops", 0, "ideas", ["gpt-4o", "claude-3-5-haiku-20241022"])
        self.st.set_fallback_chain("ops", 42, "ideas", [])  # the account's own: no fallbacks
        self.assertEqual(self.st.fallbacks(), {"ideas": ["gpt-4o", "claude-3-5-haiku-20241022"]})
        self.assertEqual(self.st.fallbacks(42), {"ideas": []})
        self.assertEqual(self.st.account_access(42)["fallbacks"], {"ideas": []})
        self.st.set_fallback_chain("ops", 42, "ideas", None)  # removed: the platform's again
        self.assertEqual(self.st.fallbacks(42), {})
        body = self.st.put_fallbacks("ops", 0, {"content_generation": ["gpt-4.1"], "ideas": None})
        self.assertEqual(body, {"content_generation": ["gpt-4.1"]})
        self.assertEqual(self.st.fallbacks(0), body)
        self.assertEqual(self.st.put_fallbacks("ops", 42, '{"clustering": ["gpt-4o"]}'), {"clustering": ["gpt-4o"]})
        self.assertEqual(self.st.audit(entity="fallback_chain", account_id=42, limit=1)[0]["key"], "clustering")

    def test_errors_name_the_field_and_write_nothing(self):
        self.st.set_fallback_chain("ops", 0, "ideas", ["gpt-4o"])
        for body, field in [({"ideas": ["gpt-4o", "gpt-9"]}, "ideas[1]"), ({"nope": []}, "nope"),
                            ({"ideas": "gpt-4o"}, "ideas"),
                            ({"ideas": ["gpt-4o"], "clustering": ["dall-e-3"]}, "clustering[0]")]:
            with self.subTest(body=body):
                self.assertRefused(igny8.ValidationError, field, self.st.put_fallbacks, "ops", 0, body)
        self.assertRefused(igny8.NotFoundError, "operation", self.st.set_fallback_chain, "ops", 0, "nope", ["gpt-4o"])
        self.assertRefused(igny8.NotFoundError, "models[0]", self.st.set_fallback_chain, "ops", 0, "ideas", ["gpt-9"])
        e = self.assertRefused(igny8.ValidationError, "models[2]", self.st.set_fallback_chain, "ops", 0, "ideas",
                               ["gpt-4o", "gpt-4.1", "gpt-4o"])
        self.assertIn("loop", e.message)
        self.assertRefused(igny8.ValidationError, "models", self.st.set_fallback_chain, "ops", 0, "ideas",
                           ["gpt-4o"] * 9)
        self.st.set_access_group("ops", "starter", STARTER)
        self.st.set_account_group("ops", 42, "starter")
        e = self.assertRefused(igny8.ValidationError, "models[0]", self.st.set_fallback_chain, "ops", 42, "ideas",
                               ["gpt-4o"])
        self.assertIn("not allowed", e.message)
        with self.assertRaises(TypeError):
            self.st.set_fallback_chain("ops", 0, "ideas", "gpt-4o")


class TestResolveWithPlans(PlansTestCase):
    KEY, ACCOUNT_KEY = "sk-FAKE-python-plans-0001", "sk-ant-FAKE-python-plans-0042"

    def setUp(self):
        super().setUp()
        self.st.set_global_key("ops", "openai", self.KEY)
        self.st.set_account_key("ops", 42, "anthropic", self.ACCOUNT_KEY)
        self.st.put_integration("alice", 42, "anthropic", {"max_tokens": 5000})
        self.st.set_fallback_chain("ops", 0, "ideas", ["gpt-4o", "claude-3-5-haiku-20241022", "gpt-4.1"])

    def test_fallbacks_are_resolutions_of_their_own(self):
        with self.st.resolve(42, "ideas") as r:
            fallbacks = r.fallbacks
            self.assertIs(r.fallbacks, fallbacks)  # built once
            self.assertIsInstance(fallbacks, tuple)
            self.assertEqual([f.model for f in fallbacks], ["gpt-4o", "claude-3-5-haiku-20241022", "gpt-4.1"])
            haiku = fallbacks[1]
            self.assertIsInstance(haiku, igny8.Resolution)
            self.assertEqual((haiku.source, haiku.provider, haiku.integration, haiku.operation, haiku.model_type),
                             ("fallback", "anthropic", "anthropic", "ideas", "text"))
            self.assertEqual((haiku.max_tokens, haiku.api_key_source), (5000, "account"))  # the account's settings
            self.assertEqual(haiku.api_key(), self.ACCOUNT_KEY)
            self.assertEqual(fallbacks[0].api_key(), self.KEY)
            self.assertEqual(r.api_key(), self.KEY)
            self.assertEqual(haiku.trace["position"], 1)
            self.assertEqual(haiku.trace["fallback_chain"], "platform")
            self.assertEqual(haiku.fallbacks, ())
            self.assertEqual(haiku.to_dict()["model"], "claude-3-5-haiku-20241022")
            whole = r.to_dict()
            self.assertEqual([f["model"] for f in whole["fallbacks"]], [f.model for f in fallbacks])
            self.assertEqual([f["source"] for f in whole["fallbacks"]], ["fallback"] * 3)
            self.assertEqual([e["status"] for e in r.trace["fallbacks"]], ["used"] * 3)
            for view in [repr(r), json.dumps(r.trace), json.dumps(whole)] + \
                    [text for f in fallbacks for text in (repr(f), json.dumps(f.trace), json.dumps(f.to_dict()))]:
                self.assertNotIn("FAKE", view)
            self.assertEqual(repr(haiku), "<Resolution ideas: claude-3-5-haiku-20241022 (anthropic) from fallback, "
                                          "key account>")
            haiku.close()  # the parent's to free: nothing happens
            self.assertEqual(haiku.model, "claude-3-5-haiku-20241022")

    def test_a_closed_parent_closes_its_fallbacks(self):
        r = self.st.resolve(42, "ideas")
        fallback, trace_read_later = r.fallbacks[0], r.fallbacks[1]
        r.close()
        for name in ("model", "provider", "integration", "model_type", "operation", "source", "temperature",
                     "max_tokens", "size", "quality", "style", "base_url", "api_key_source", "fallbacks", "trace"):
            with self.assertRaises(ValueError, msg=name):
                getattr(trace_read_later, name)
            with self.assertRaises(ValueError, msg=name):
                getattr(r, name)
        for call in (fallback.api_key, fallback.to_dict):
            with self.assertRaisesRegex(ValueError, "closed"):
                call()
        self.assertEqual(repr(fallback), "<Resolution closed>")
        unread = self.st.resolve(42, "ideas")
        unread.close()
        with self.assertRaisesRegex(ValueError, "closed"):
            unread.fallbacks  # never read before the close: refused all the same

    def test_a_fallback_keeps_its_parent_alive_and_never_frees(self):
        freed = []
        free = igny8.Resolution.__del__.__defaults__[0]

        def counting_free(h):
            freed.append(1)
            free(h)
        igny8.Resolution.__del__.__defaults__ = (counting_free,)
        try:
            fallback = self.st.resolve(42, "ideas").fallbacks[1]  # the parent is no longer named
            gc.collect()
            self.assertEqual(fallback.api_key(), self.ACCOUNT_KEY)  # its memory is still there
            self.assertEqual(freed, [])
            del fallback
            gc.collect()
            self.assertEqual(len(freed), 1)  # the parent, once; its fallbacks are never freed
            for _ in range(100):
                with self.st.resolve(42, "ideas") as r:
                    [f.model for f in r.fallbacks]
            gc.collect()
            self.assertEqual(len(freed), 1)  # closed ones: freed by close(), not by __del__
            for _ in range(100):
                self.st.resolve(42, "ideas").fallbacks  # read, never closed: the cycle collector's
            gc.collect()
            self.assertEqual(len(freed), 101)
        finally:
            igny8.Resolution.__del__.__defaults__ = (free,)

    def test_no_fallbacks_is_an_empty_tuple(self):
        with self.st.resolve(42, "clustering") as r:
            self.assertEqual(r.fallbacks, ())
            self.assertIsNone(r.trace["fallback_chain"])

    def test_plans_in_the_resolver(self):
        self.st.set_access_group("ops", "starter", STARTER)
        self.st.put_account_access("ops", 42, {"group": "starter"})
        with self.st.resolve(42, "ideas") as r:
            self.assertEqual([f.model for f in r.fallbacks], ["claude-3-5-haiku-20241022"])
            self.assertEqual([(e["model"], e.get("reason")) for e in r.trace["fallbacks"]],
                             [("gpt-4o", "not_allowed"), ("claude-3-5-haiku-20241022", None), ("gpt-4.1", "not_allowed")])
            self.assertEqual(r.trace["access"]["group"], "starter")
        with self.assertRaises(igny8.ValidationError) as cm:
            self.st.resolve(42, "ideas", "gpt-4o")  # requested, but not in the plan
        self.assertEqual(cm.exception.field, "model")
        self.st.set_account_model_access("ops", 42, "gpt-4o-mini", False)  # the platform's default goes too
        with self.st.resolve(42, "ideas") as r:
            self.assertEqual((r.model, r.source, r.api_key_source, r.fallbacks), ("claude-3-5-haiku-20241022",
                                                                                 "fallback", "account", ()))

    def test_resolve_options(self):
        with self.st.resolve(42, "ideas", skip_unhealthy=True, unhealthy_window_s=60) as r:
            self.assertEqual((r.model, r.trace["skip_unhealthy"], r.trace["unhealthy_window_s"]),
                             ("gpt-4o-mini", True, 60))
            self.assertEqual(len(r.fallbacks), 3)
        with self.st.resolve(42, "ideas", skip_unhealthy=True) as r:
            self.assertEqual(r.trace["unhealthy_window_s"], 300)  # 0: the library's default
        with self.st.resolve(42, "ideas") as r:
            self.assertFalse(r.trace["skip_unhealthy"])
        with self.st.resolve(42, "ideas", skip_unhealthy=True, unhealthy_window_s=igny8.UNHEALTHY_WINDOW_MAX_S) as r:
            self.assertEqual(r.trace["unhealthy_window_s"], igny8.UNHEALTHY_WINDOW_MAX_S)
        with self.assertRaises(igny8.ValidationError) as cm:  # the library's limit, as the package says it
            self.st.resolve(42, "ideas", skip_unhealthy=True, unhealthy_window_s=igny8.UNHEALTHY_WINDOW_MAX_S + 1)
        self.assertEqual(cm.exception.field, "unhealthy_window_s")
        for window, error in ((-1, ValueError), (2 ** 32, ValueError), (True, TypeError), (1.5, TypeError)):
            with self.assertRaises(error, msg=window):
                self.st.resolve(42, "ideas", skip_unhealthy=True, unhealthy_window_s=window)
        for account, operation, error, field in [(0, "ideas", igny8.ValidationError, "account_id"),
                                                 (42, "juggling", igny8.NotFoundError, "operation"),
                                                 ("42", "ideas", TypeError, None)]:
            with self.assertRaises(error) as cm:
                self.st.resolve(account, operation, skip_unhealthy=True)
            if field:
                self.assertEqual(cm.exception.field, field)
        with self.assertRaises(igny8.ValidationError) as cm:
            self.st.resolve(42, "ideas", "no-such-model", skip_unhealthy=True)
        self.assertEqual(cm.exception.field, "model")

    def test_a_plain_resolve_stays_on_the_fast_path(self):
        calls = []
        v2 = _ffi.fn.get_model_for_operation_v2
        _ffi.fn.get_model_for_operation_v2 = lambda *a: calls.append(a) or v2(*a)
        try:
            self.st.resolve(42, "ideas").close()
            self.st.resolve(42, "ideas", "gpt-4o").close()
            self.assertEqual(calls, [])
            self.st.resolve(42, "ideas", skip_unhealthy=True).close()
            self.assertEqual(len(calls), 1)
        finally:
            _ffi.fn.get_model_for_operation_v2 = v2

    def test_resolve_options_mirror_the_c_struct(self):
        by_c = _ffi.ResolveOptions()
        ctypes.memset(ctypes.byref(by_c), 0xA5, ctypes.sizeof(by_c))
        _ffi.fn.resolve_options_init(ctypes.byref(by_c), 1)
        self.assertEqual((by_c.version, by_c.flags, by_c.unhealthy_window_s), (1, 0, 0))
        self.assertEqual(ctypes.sizeof(by_c), 12)
        with self.assertRaises(igny8.ValidationError) as cm:
            _ffi.fn.resolve_options_init(ctypes.byref(by_c), 2)
        self.assertEqual(cm.exception.field, "version")


class TestMasterKeys(unittest.TestCase):
    KEY = "sk-FAKE-python-sealed-0042"

    def test_sealed_keys_rotation_and_sealed_exports(self):
        place = testbackend.place()
        first, second = igny8.master_key_new(), igny8.master_key_new()
        self.assertNotEqual(first, second)
        with igny8.Store(**place, master_key=first) as st:
            st.load_defaults("test")
            st.set_global_key("test", "openai", self.KEY)
            self.assertEqual(st.resolve(7, "clustering", "gpt-4o").api_key(), self.KEY)
            sealed = st.export(with_keys=True, passphrase="tr0ub4dor&3")
            self.assertNotIn(self.KEY, json.dumps(sealed))
            st.rekey("test", second)
        with igny8.Store(**place) as st:  # no master key: everything but the key
            r = st.resolve(7, "clustering", "gpt-4o")
            self.assertEqual(r.api_key_source, "global")
            with self.assertRaises(igny8.MasterKeyError) as e:
                r.api_key()
            self.assertEqual(e.exception.field, "master_key")
        with self.assertRaises(igny8.MasterKeyError):
            igny8.Store(**place, master_key=first)  # rotated away
        with testbackend.store() as other:
            with self.assertRaises(igny8.MasterKeyError):
                other.import_document("test", sealed, replace=True, passphrase="wrong")
            other.import_document("test", sealed, replace=True, passphrase="tr0ub4dor&3")
            self.assertEqual(other.resolve(7, "clustering", "gpt-4o").api_key(), self.KEY)


class TestThreadsAndMemory(unittest.TestCase):
    def test_threads_share_one_store(self):
        with igny8.Store(**testbackend.place()) as st:
            st.load_defaults("t")
            failures = []
            models = ["gpt-4o", "gpt-4.1", "gpt-4o-mini", "gpt-4.1-mini"]

            def work(account: int) -> None:
                try:
                    for i in range(100):
                        model = models[(account + i) % 4]
                        st.put_integration("t", account, "openai", {"model": model})
                        with st.resolve(account, "ideas") as r:
                            if r.model != model:
                                failures.append((account, i, r.model, model))
                except Exception as e:  # pragma: no cover - reported below
                    failures.append(repr(e))

            threads = [threading.Thread(target=work, args=(a,)) for a in range(1, 9)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            self.assertEqual(failures, [])
            for a in range(1, 9):
                self.assertEqual(st.integration(a, "openai")["model"], models[(a + 99) % 4])

    def test_close_waits_for_calls_in_flight_and_refuses_new_ones(self):
        st = testbackend.store()
        st.load_defaults("t")
        st._enter()  # a call in flight, as another thread's would be
        closer = threading.Thread(target=st.close)
        closer.start()
        closer.join(0.3)
        self.assertTrue(closer.is_alive(), "close() did not wait for the call in flight")
        for call in (lambda: st.resolve(7, "clustering"), st.operations):
            with self.assertRaisesRegex(ValueError, "closed"):
                call()
        self.assertTrue(closer.is_alive())
        st._leave()
        closer.join(10)
        self.assertFalse(closer.is_alive(), "close() did not finish once the call left")
        with self.assertRaisesRegex(ValueError, "closed"):
            st.resolve(7, "clustering")

    def test_close_while_threads_resolve(self):
        # Every call either completes or raises "closed"; close() returns once they are out.
        for _ in range(5):
            st = testbackend.store()
            st.load_defaults("t")
            outcomes, started = [], threading.Barrier(5)

            def work() -> None:
                started.wait()
                try:
                    while True:
                        with st.resolve(7, "clustering") as r:
                            r.model
                except ValueError as e:
                    outcomes.append(str(e))
                except Exception as e:  # pragma: no cover - reported below
                    outcomes.append(repr(e))

            threads = [threading.Thread(target=work) for _ in range(4)]
            for t in threads:
                t.start()
            started.wait()
            st.close()
            for t in threads:
                t.join(10)
            self.assertEqual(outcomes, ["the store is closed"] * 4)

    @unittest.skipIf(os.environ.get("IGNY8_SANITIZED"),
                     "AddressSanitizer quarantines freed memory, so RSS measures nothing there; "
                     "the plain build runs this test")
    def test_resolve_loop_does_not_grow(self):
        with testbackend.store() as st:
            st.load_defaults("t")
            st.set_global_key("t", "openai", FAKE_KEY)
            for _ in range(2000):  # warm up the allocator and the caches
                st.resolve(7, "clustering").close()
            gc.collect()
            before = rss_kib()
            for i in range(100_000):
                r = st.resolve(1 + i % 50, "clustering")
                r.model
                r.temperature
                r.close()
            gc.collect()
            grown = rss_kib() - before
            self.assertLess(grown, 5 * 1024, f"RSS grew by {grown} KiB over 100,000 resolves")

    def test_unclosed_resolutions_are_freed_when_collected(self):
        # __del__ frees what close() did not, exactly once: counted through the free
        # function __del__ holds as its default.
        freed = []
        free = igny8.Resolution.__del__.__defaults__[0]

        def counting_free(h):
            freed.append(1)
            free(h)
        with testbackend.store() as st:
            st.load_defaults("t")
            igny8.Resolution.__del__.__defaults__ = (counting_free,)
            try:
                for i in range(1000):
                    st.resolve(1 + i % 50, "clustering").model  # dropped at once, never closed
                self.assertEqual(len(freed), 1000)
                for i in range(100):
                    st.resolve(7, "ideas").close()  # closed: __del__ has nothing left to free
                self.assertEqual(len(freed), 1000)
                r = st.resolve(7, "clustering")
                cycle = [r]
                cycle.append(cycle)
                del r, cycle
                gc.collect()
                self.assertEqual(len(freed), 1001)
            finally:
                igny8.Resolution.__del__.__defaults__ = (free,)

    @unittest.skipIf(os.environ.get("IGNY8_SANITIZED"),
                     "AddressSanitizer quarantines freed memory, so RSS measures nothing there; "
                     "the plain build runs this test")
    def test_unclosed_resolve_loop_does_not_grow(self):
        with testbackend.store() as st:
            st.load_defaults("t")
            st.set_global_key("t", "openai", FAKE_KEY)
            for _ in range(2000):
                st.resolve(7, "clustering")
            gc.collect()
            before = rss_kib()
            for i in range(100_000):
                st.resolve(1 + i % 50, "clustering").model
            gc.collect()
            grown = rss_kib() - before
            self.assertLess(grown, 5 * 1024, f"RSS grew by {grown} KiB over 100,000 unclosed resolves")

    def test_resolutions_left_at_exit_are_no_error(self):
        # Resolutions still alive at interpreter shutdown (in a global, in a cycle) go
        # without an error, whether their store is closed before them or not.
        code = ("import igny8settings as i\n"
                "st = i.Store()\n"
                "st.load_defaults('t')\n"
                "kept = [st.resolve(7, 'clustering') for _ in range(3)]\n"
                "kept.append(kept)\n"
                "r = st.resolve(7, 'ideas')\n"
                "print(r.model)\n")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stdout.strip(), "gpt-4o-mini")
        self.assertNotIn("Exception ignored", out.stderr)


if __name__ == "__main__":
    unittest.main()
