"""igny8ctl driven as an operator would: the built binary run with subprocess on temporary
stores (unittest, Debian's /usr/bin/python3).

Run by CTest with IGNY8CTL pointing at the binary. The keys are obviously fake; every
command's stdout and stderr are kept, and no key may ever appear in them (only
`export --with-keys` writes keys, on purpose)."""

import json
import os
import re
import sqlite3
import stat
import subprocess
import tempfile
import time
import unittest

import testbackend

CTL = os.environ.get("IGNY8CTL", "")

KEY_STDIN = "sk-test-FAKE-stdin-0000abcd"
KEY_ENV = "sk-test-FAKE-env-0000efgh"
KEY_ACCOUNT = "sk-test-FAKE-account-0000ijkl"
KEY_ARGV = "sk-test-FAKE-argv-0000mnop"
ALL_KEYS = (KEY_STDIN, KEY_ENV, KEY_ACCOUNT, KEY_ARGV)

# The plan of the access tests: the two cheap text models, in name order.
CHEAP = ["claude-3-5-haiku-20241022", "gpt-4o-mini"]


def within(model, text=None, image=None):
    """Whether a model's prices are within ceilings, by the rule of access.h (no price: never over)."""
    prices = [model["input_cost_per_1k"], model["output_cost_per_1k"]] if model["model_type"] == "text" \
        else [model["cost_per_image"]]
    limit = text if model["model_type"] == "text" else image
    return limit is None or all(p is None or p <= limit for p in prices)


def ctl_env(extra=None):
    """The environment of a run: no store or actor from the caller's environment. The
    sanitizer build's python3 needs the runtimes preloaded; igny8ctl is instrumented
    itself, so it gets no LD_PRELOAD and runs with leak detection on."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("LD_PRELOAD", "IGNY8_DB", "IGNY8_SCHEMA", "IGNY8_ACTOR")}
    if os.environ.get("IGNY8_SANITIZED"):
        env["ASAN_OPTIONS"] = "detect_leaks=1"
    env["USER"] = "tester"
    env.update(extra or {})
    return env


@unittest.skipUnless(CTL and os.path.exists(CTL), "IGNY8CTL does not name the built igny8ctl")
class CtlTestCase(unittest.TestCase):
    """A temporary directory and the store on the backend the tests run on (a file in it, or
    a schema of the test database); helpers to run the tool and check its results. Other
    stores a test makes (other.db, ...) are SQLite files, so those tests also move
    documents between the two backends."""

    with_store = True

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name
        place = testbackend.place() if testbackend.postgres() else {"path": os.path.join(self.dir, "settings.db")}
        self.db, self.schema = place["path"], place.get("schema")
        self.transcript = []
        if self.with_store:
            self.ok("init")
            self.ok("defaults", "load")

    def tearDown(self):
        for out in self.transcript:
            for key in ALL_KEYS:
                self.assertNotIn(key, out, "a key reached the output of igny8ctl")
        self.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def write(self, name, text):
        with open(self.path(name), "w") as f:
            f.write(text)
        return self.path(name)

    def run_ctl(self, *args, stdin=None, env=None, db=None, secret=False, stdout=subprocess.PIPE):
        """Run igny8ctl [--db DB] ARGS; db=False: no --db. The test's own store gets its
        --schema on PostgreSQL."""
        where = [] if db is False else ["--db", db or self.db]
        if db is None and self.schema:
            where += ["--schema", self.schema]
        cmd = [CTL] + where + [str(a) for a in args]
        p = subprocess.run(cmd, input=stdin, stdout=stdout, stderr=subprocess.PIPE, text=True,
                           env=ctl_env(env), timeout=120)
        self.assertNotIn("Sanitizer", p.stderr, p.stderr)
        self.assertNotIn("runtime error", p.stderr, p.stderr)
        if not secret:
            self.transcript.append((p.stdout or "") + p.stderr)
        return p

    def ok(self, *args, **kw):
        """Run, expect exit 0 and a silent stderr; the parsed JSON (the text with --format table)."""
        p = self.run_ctl(*args, **kw)
        self.assertEqual(p.returncode, 0, f"igny8ctl {' '.join(map(str, args))}: {p.stderr}")
        self.assertEqual(p.stderr, "", args)
        if "table" in args or "--help" in args or "-h" in args or args[:1] == ("help",):
            return p.stdout
        return json.loads(p.stdout)

    def fails(self, code, *args, field=None, **kw):
        """Run, expect exit `code`, nothing on stdout and one line "igny8ctl: ..." on stderr."""
        p = self.run_ctl(*args, **kw)
        self.assertEqual(p.returncode, code, f"igny8ctl {' '.join(map(str, args))}: {p.stderr}")
        self.assertEqual(p.stdout, "", args)
        self.assertRegex(p.stderr, r"\Aigny8ctl: [^\n]+\n\Z")
        if field is not None:
            self.assertTrue(p.stderr.endswith(f"(field: {field})\n"), p.stderr)
        return p.stderr


class TestHelp(CtlTestCase):
    with_store = False

    def sections(self, text, title):
        """The first words of the lines of a help section ("groups:", "commands:")."""
        block = text.split(f"\n{title}:\n", 1)[1].split("\n\n", 1)[0]
        return [line.split("  ")[1].strip() for line in block.splitlines()]

    def test_tool_help_needs_no_store(self):
        for args in (["--help"], ["-h"], ["help"]):
            out = self.ok(*args, db=False)
            self.assertTrue(out.startswith("usage: igny8ctl [--db PATH|URL] [--schema NAME]"), out)
            for word in ("--format json|table", "--actor NAME", "exit codes:", "IGNY8_DB"):
                self.assertIn(word, out)
        groups = self.sections(self.ok("--help", db=False), "groups")
        self.assertEqual(len(groups), 20, groups)
        for g in ("init", "defaults", "models", "global", "keys", "account", "access", "fallbacks", "operations",
                  "resolve", "prompts", "library", "modules", "audit", "export", "import", "health", "test-connection"):
            self.assertIn(g, groups)

    def test_help_of_every_group_and_every_command(self):
        count = 0
        for group in self.sections(self.ok("--help", db=False), "groups"):
            out = self.ok(group, "--help", db=False)
            self.assertTrue(out.startswith(f"usage: igny8ctl {group}"), out)
            if "\ncommands:\n" not in out:  # a group that is itself a command
                count += 1
                continue
            for command in self.sections(out, "commands"):
                words = command.split()
                text = self.ok(group, *words, "--help", db=False)
                self.assertTrue(text.startswith(f"usage: igny8ctl {group} {command}"), text)
                self.assertIn("global options:", text)
                self.assertIn(self.ok("help", group, *words, db=False), [text])
                count += 1
        self.assertGreater(count, 60)

    def test_help_of_a_sample_of_commands(self):
        out = self.ok("keys", "set", "-h", db=False)
        self.assertIn("never from the command line", out)
        self.assertIn("--from-env VAR", out)
        out = self.ok("models", "list", "--help", db=False)
        for opt in ("--provider P", "--type text|image", "--active, --inactive"):
            self.assertIn(opt, out)
        out = self.ok("account", "integration", "put", "--help", db=False)
        self.assertIn("usage: igny8ctl account integration put ACCOUNT INTEGRATION --json FILE|-", out)
        out = self.ok("library", "bulk-clone", "--help", db=False)
        self.assertIn("--on-existing skip|fail", out)
        out = self.ok("--help", "prompts", "commit", db=False)
        self.assertIn("--publish", out)

    def test_help_of_plans_and_fallbacks(self):
        commands = {"access": ["groups", "group get", "group set", "group put", "group delete", "account get",
                               "account put", "account group", "account allow", "account deny", "account inherit",
                               "account budget", "account models"],
                    "fallbacks": ["get", "set", "clear", "put"]}
        for group, names in commands.items():
            self.assertEqual(self.sections(self.ok(group, "--help", db=False), "commands"), names)
            for name in names:
                text = self.ok(group, *name.split(), "--help", db=False)
                self.assertTrue(text.startswith(f"usage: igny8ctl {group} {name}"), text)
                self.assertIn("\narguments and options:\n" if name != "groups" else "global options:", text)
        out = self.ok("access", "group", "set", "--help", db=False)
        self.assertIn("usage: igny8ctl access group set NAME --models A,B,C [--description D]\n", out)
        self.assertIn('--models "" for an empty group', out)
        out = self.ok("access", "account", "budget", "-h", db=False)
        self.assertIn("usage: igny8ctl access account budget ACCOUNT [--text USD|none] [--image USD|none]\n", out)
        self.assertIn("none: no ceiling", out)
        out = self.ok("fallbacks", "set", "--help", db=False)
        self.assertIn("usage: igny8ctl fallbacks set OPERATION [MODEL...] [--account ID]\n", out)
        self.assertIn("up to 8 active models", out)
        out = self.ok("help", "resolve", db=False)
        self.assertIn("[--skip-unhealthy] [--window-s N]", out)
        self.assertIn("1..604800 (default 300)", out)

    def test_version(self):
        p = self.run_ctl("--version", db=False)
        self.assertEqual(p.returncode, 0)
        self.assertRegex(p.stdout, r"^igny8ctl \d+\.\d+\.\d+ \(libigny8settings \d+\.\d+\.\d+\)\n$")


class TestStore(CtlTestCase):
    with_store = False

    def test_init_creates_a_private_store_and_is_idempotent(self):
        out = self.ok("init")
        self.assertIsInstance(out["schema_version"], int)
        self.assertGreaterEqual(out["schema_version"], 4)
        self.assertEqual(out["path"], self.db)
        if not self.schema:
            self.assertEqual(stat.S_IMODE(os.stat(self.db).st_mode), 0o600)
        self.assertEqual(self.ok("init"), out)

    def test_defaults_load_once_and_from_a_file(self):
        self.ok("init")
        self.assertEqual(self.ok("defaults", "load"), {"defaults": "built-in", "loaded": True})
        self.fails(5, "defaults", "load")
        other = self.path("other.db")
        self.ok("init", db=other)
        doc = self.write("defaults.json", json.dumps({"format": "igny8settings-defaults", "providers": []}))
        self.fails(3, "defaults", "load", "--file", doc, db=other)

    def test_db_from_the_environment(self):
        env = {"IGNY8_DB": self.db, **({"IGNY8_SCHEMA": self.schema} if self.schema else {})}
        self.ok("init", db=False, env=env)
        self.ok("defaults", "load", db=False, env=env)
        self.assertEqual(len(self.ok("models", "list", db=False, env=env)), 12)
        self.assertIn("--db PATH or set IGNY8_DB", self.fails(2, "models", "list", db=False))


class TestModels(CtlTestCase):
    def test_list_json_and_table_with_filters(self):
        models = self.ok("models", "list")
        self.assertEqual(len(models), 12)
        self.assertEqual([m["model_name"] for m in models], sorted(m["model_name"] for m in models))
        table = self.ok("models", "list", "--format", "table")
        lines = table.splitlines()
        self.assertEqual(lines[0].split()[:3], ["MODEL_NAME", "PROVIDER", "MODEL_TYPE"])
        self.assertEqual(len(lines), 13)
        self.assertTrue(any(re.match(r"gpt-4o-mini\s+openai\s+text\s+true\s+true", line) for line in lines), table)
        images = self.ok("models", "list", "--type", "image", "--provider", "openai")
        self.assertEqual({m["model_name"] for m in images}, {"dall-e-2", "dall-e-3"})
        self.assertEqual(self.ok("models", "list", "--inactive"), [])
        self.fails(2, "models", "list", "--active", "--inactive")
        self.fails(3, "models", "list", "--type", "video", field="type")

    def test_add_update_activate_default_cost(self):
        body = {"model_name": "gpt-test", "display_name": "GPT Test", "provider": "openai", "model_type": "text",
                "input_cost_per_1k": 0.001, "output_cost_per_1k": 0.002, "tokens_per_credit": 1000,
                "max_output_tokens": 4096}
        added = self.ok("models", "add", "--json", "-", stdin=json.dumps(body))
        self.assertEqual(added["model_name"], "gpt-test")
        self.assertTrue(added["is_active"])
        self.fails(5, "models", "add", "--json", "-", stdin=json.dumps(body))
        patch = self.write("patch.json", '{"display_name": "GPT Test 2", "output_cost_per_1k": null}')
        updated = self.ok("models", "update", "gpt-test", "--json", patch)
        self.assertEqual(updated["display_name"], "GPT Test 2")
        self.assertIsNone(updated["output_cost_per_1k"])
        self.assertFalse(self.ok("models", "deactivate", "gpt-test")["is_active"])
        self.assertEqual([m["model_name"] for m in self.ok("models", "list", "--inactive")], ["gpt-test"])
        self.fails(3, "models", "set-default", "gpt-test")
        self.assertTrue(self.ok("models", "activate", "gpt-test")["is_active"])
        self.assertTrue(self.ok("models", "set-default", "gpt-test")["is_default"])
        self.assertFalse(self.ok("models", "get", "gpt-4o-mini")["is_default"])
        cost = self.ok("models", "cost", "gpt-4o", "--input", "1000", "--output", "1000")
        self.assertAlmostEqual(cost["usd"], 0.0125)
        self.assertGreater(cost["credits"], 0)
        self.assertAlmostEqual(self.ok("models", "cost", "dall-e-3", "--images", "2")["usd"], 0.08)
        self.fails(2, "models", "cost", "gpt-4o")
        self.fails(3, "models", "cost", "gpt-4o", "--input", "many", field="input")

    def test_operations(self):
        ops = {o["name"]: o["model_type"] for o in self.ok("operations", "list")}
        self.assertEqual(ops["image_generation"], "image")
        self.assertEqual(ops["clustering"], "text")
        self.assertIn("image_generation", self.ok("operations", "list", "--format", "table"))


class TestGlobalSettings(CtlTestCase):
    def test_put_default_model_and_activation(self):
        body = {"integrations": {"openai": {"temperature": 0.5, "max_tokens": 4000}}}
        out = self.ok("global", "put", "--json", "-", stdin=json.dumps(body))
        self.assertEqual(out["integrations"]["openai"]["temperature"], 0.5)
        self.fails(3, "global", "put", "--json", "-", stdin='{"integrations":{"openai":{"temperature":7}}}',
                   field="integrations.openai.temperature")
        out = self.ok("global", "default-model", "claude-3-5-haiku-20241022")
        self.assertEqual(out["text_provider"], "anthropic")
        self.assertEqual(out["default_text_model"], "claude-3-5-haiku-20241022")
        self.assertFalse(self.ok("global", "deactivate")["is_active"])
        self.assertTrue(self.ok("global", "activate")["is_active"])
        table = self.ok("global", "get", "--format", "table")
        self.assertRegex(table, r"(?m)^is_active:\s+true$")
        self.assertRegex(table, r"(?m)^integrations\.openai\.temperature:\s+0\.5$")


class TestKeys(CtlTestCase):
    def test_master_keys_seal_rotate_and_refuse(self):
        first, second = self.path("master1"), self.path("master2")
        self.assertEqual(self.ok("keys", "new-master", "-o", first, db=False), {"master_key_file": first})
        self.ok("keys", "new-master", "-o", second, db=False)
        self.assertEqual(stat.S_IMODE(os.stat(first).st_mode), 0o600)
        p = self.run_ctl("keys", "new-master", "-o", first, db=False)
        self.assertEqual(p.returncode, 7, "never over an existing key file")
        with_first = {"IGNY8_MASTER_KEY_FILE": first}
        self.ok("keys", "set", "openai", stdin=KEY_STDIN + "\n", env=with_first)
        if not testbackend.postgres():
            with open(self.db, "rb") as f:
                self.assertNotIn(KEY_STDIN.encode(), f.read())
        self.assertEqual({k["integration"]: k for k in self.ok("keys", "list")}["openai"]["last4"], KEY_STDIN[-4:])
        p = self.run_ctl("keys", "set", "openai", stdin=KEY_ENV + "\n")  # no master key: refused
        self.assertEqual(p.returncode, 6, p.stderr)
        self.assertIn("master key", p.stderr)
        self.ok("keys", "rotate-master", "--new-key-file", second, env=with_first)
        p = self.run_ctl("keys", "list", env=with_first)
        self.assertEqual(p.returncode, 6, "the old master key no longer opens the store")
        doc = self.run_ctl("export", "--with-keys", "--plaintext-keys", env={"IGNY8_MASTER_KEY_FILE": second},
                           secret=True)
        self.assertEqual(doc.returncode, 0, doc.stderr)
        self.assertIn(KEY_STDIN, doc.stdout)
        audit = self.ok("audit", "--entity", "store")["entries"]
        self.assertIn("rekey", [e["action"] for e in audit])

    def test_keys_from_stdin_and_env_never_shown(self):
        out = self.ok("keys", "set", "openai", stdin=KEY_STDIN + "\n")
        self.assertEqual(out, {"integration": "openai", "account_id": None, "configured": True})
        self.ok("keys", "set", "anthropic", "--from-env", "MY_KEY", env={"MY_KEY": KEY_ENV})
        self.ok("keys", "set", "openai", "--account", "7", stdin=KEY_ACCOUNT)
        keys = {k["integration"]: k for k in self.ok("keys", "list")}
        self.assertEqual(keys["openai"]["last4"], KEY_STDIN[-4:])
        self.assertEqual(keys["anthropic"]["last4"], KEY_ENV[-4:])
        self.assertFalse(keys["runware"]["configured"])
        own = {k["integration"]: k["configured"] for k in self.ok("keys", "list", "--account", "7")}
        self.assertTrue(own["openai"])
        self.assertFalse(own["anthropic"])
        self.assertEqual(self.ok("resolve", "7", "clustering")["api_key_source"], "account")
        # Nothing shows a key: views, resolution, trace, audit, export without --with-keys.
        for args in (["global", "get"], ["global", "get", "--format", "table"], ["keys", "list", "--format", "table"],
                     ["resolve", "7", "clustering", "--trace"], ["account", "integrations", "7"],
                     ["audit", "--limit", "50"], ["audit", "--format", "table"], ["export"]):
            p = self.run_ctl(*args)
            self.assertEqual(p.returncode, 0, p.stderr)
        # Keys in an export are sealed: under a passphrase, or (here: no master key) refused.
        p = self.run_ctl("export", "--with-keys")
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("passphrase", p.stderr)
        env = dict(os.environ, EXPORT_PASSPHRASE="correct horse battery staple")
        p = self.run_ctl("export", "--with-keys", "--passphrase-env", "EXPORT_PASSPHRASE", env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn(KEY_STDIN, p.stdout)
        self.assertIn('"sealed_with": "passphrase"', p.stdout)
        sealed = self.path("sealed.json")
        with open(sealed, "w") as f:
            f.write(p.stdout)
        p = self.run_ctl("import", sealed)
        self.assertEqual(p.returncode, 6, p.stderr)  # EPERM: the passphrase is needed
        bad = dict(os.environ, EXPORT_PASSPHRASE="wrong horse")
        p = self.run_ctl("import", sealed, "--passphrase-env", "EXPORT_PASSPHRASE", env=bad)
        self.assertEqual(p.returncode, 6, p.stderr)
        self.assertIn("does not open", p.stderr)
        p = self.run_ctl("import", sealed, "--passphrase-env", "EXPORT_PASSPHRASE", env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        # In plain text only when asked for, in a private file.
        p = self.run_ctl("export", "--with-keys", "--plaintext-keys", secret=True)
        self.assertEqual(p.returncode, 0)
        self.assertIn(KEY_STDIN, p.stdout)
        self.assertIn(KEY_ACCOUNT, p.stdout)
        self.assertIn("contains API keys", p.stderr)
        out = self.path("secret.json")
        p = self.run_ctl("export", "--with-keys", "--plaintext-keys", "-o", out, secret=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(stat.S_IMODE(os.stat(out).st_mode), 0o600)
        with open(out) as f:
            self.assertIn(KEY_ENV, f.read())
        # Removal.
        self.assertFalse(self.ok("keys", "remove", "anthropic")["configured"])
        self.ok("keys", "remove", "openai", "--account", "7")
        self.assertEqual(self.ok("resolve", "7", "clustering")["api_key_source"], "global")

    def test_a_key_on_the_command_line_is_refused_and_not_echoed(self):
        before = self.ok("audit")
        for args in (["keys", "set", "openai", KEY_ARGV], ["keys", "set", KEY_ARGV],
                     ["keys", "set", "openai", f"--key={KEY_ARGV}"], ["keys", "set", "openai", "--key", KEY_ARGV],
                     ["keys", "set", "openai", "--api-key", KEY_ARGV], ["keys", "remove", KEY_ARGV]):
            err = self.fails(2, *args, stdin=KEY_STDIN)
            self.assertIn("refusing an API key on the command line", err)
        self.fails(2, "keys", "remove", "openai", KEY_ARGV)
        self.fails(2, "models", "list", f"--api-key={KEY_ARGV}")
        self.fails(3, "keys", "set", "openai", "--account", KEY_ARGV, stdin=KEY_STDIN, field="account")
        self.fails(3, "keys", "set", "openai", "--from-env", KEY_ARGV, field="from-env")
        self.assertEqual(self.ok("audit"), before)
        self.assertFalse(self.ok("global", "get")["integrations"]["openai"]["api_key"]["configured"])

    def test_bad_keys(self):
        self.fails(3, "keys", "set", "openai", stdin="", field="key")
        self.fails(3, "keys", "set", "openai", stdin="x" * 600 + "\n", field="key")
        self.fails(3, "keys", "set", "openai", "--from-env", "UNSET_VARIABLE", field="from-env")
        self.fails(4, "keys", "set", "nosuch", stdin=KEY_STDIN)
        self.assertFalse(self.ok("global", "get")["integrations"]["openai"]["api_key"]["configured"])


class TestAccounts(CtlTestCase):
    def test_integration_put_get_reset(self):
        out = self.ok("account", "integration", "put", "42", "openai", "--json", "-",
                      stdin='{"model":"gpt-4o","temperature":0.4,"api_key":"' + KEY_ARGV + '"}')
        self.assertEqual(out, {"id": "openai", "enabled": True, "model": "gpt-4o", "temperature": 0.4,
                               "max_tokens": 8192, "using_global": False})
        self.assertEqual(self.ok("account", "integration", "get", "42", "openai"), out)
        self.fails(3, "account", "integration", "put", "42", "openai", "--json", "-", stdin='{"temperature":9}',
                   field="temperature")
        self.fails(3, "account", "integration", "put", "42", "openai", "--json", "-", stdin='{"model":"dall-e-3"}',
                   field="model")
        table = self.ok("account", "integrations", "42", "--format", "table")
        self.assertRegex(table, r"(?m)^openai\s+true\s+gpt-4o\s+0\.4\s+8192\s+false$")
        out = self.ok("account", "integration", "reset", "42", "openai")
        self.assertTrue(out["using_global"])
        self.assertEqual(out["model"], "gpt-4o-mini")
        self.fails(4, "account", "integration", "get", "42", "nosuch")
        self.fails(3, "account", "integration", "get", "0", "openai", field="account_id")
        self.fails(3, "account", "integration", "get", "forty-two", "openai", field="account_id")

    def test_provider_and_operation_model_choices(self):
        out = self.ok("account", "provider", "7", "text", "anthropic")
        self.assertEqual(out["providers"], {"text": "anthropic", "image": None})
        self.assertEqual(self.ok("resolve", "7", "clustering")["provider"], "anthropic")
        self.fails(2, "account", "provider", "7", "text")
        self.fails(2, "account", "provider", "7", "text", "openai", "--clear")
        self.fails(4, "account", "provider", "7", "text", "nosuch")
        self.assertIsNone(self.ok("account", "provider", "7", "text", "--clear")["providers"]["text"])
        out = self.ok("account", "operation-model", "7", "ideas", "gpt-4.1")
        self.assertEqual(out["operations"], {"ideas": "gpt-4.1"})
        self.fails(3, "account", "operation-model", "7", "ideas", "dall-e-3")
        self.assertEqual(self.ok("account", "models", "7"), out)
        self.assertEqual(self.ok("account", "operation-model", "7", "ideas", "--clear")["operations"], {})

    def test_resolve_with_trace(self):
        self.ok("account", "operation-model", "7", "ideas", "gpt-4.1")
        out = self.ok("resolve", "7", "ideas")
        self.assertEqual((out["model"], out["source"]), ("gpt-4.1", "account_operation"))
        self.assertNotIn("trace", out)
        out = self.ok("resolve", "7", "ideas", "--trace")
        levels = {lv["level"]: lv["status"] for lv in out["trace"]["levels"]}
        self.assertEqual(levels["request"], "skipped")
        self.assertEqual(levels["account_operation"], "used")
        self.assertEqual(levels["system_default"], "not_reached")
        table = self.ok("resolve", "7", "ideas", "--trace", "--format", "table")
        self.assertRegex(table, r"(?m)^model:\s+gpt-4\.1$")
        self.assertIn("trace.levels:\nLEVEL", table)
        self.assertRegex(table, r"(?m)^account_operation\s+gpt-4\.1\s+used")
        self.assertEqual(self.ok("resolve", "7", "ideas", "--model", "gpt-4o")["source"], "request")
        self.fails(3, "resolve", "7", "ideas", "--model", "dall-e-3", field="model")
        self.fails(4, "resolve", "7", "nosuch", field="operation")


class TestAccessGroups(CtlTestCase):
    def test_set_get_list_put(self):
        out = self.ok("access", "group", "set", "starter", "--models", "gpt-4o-mini,claude-3-5-haiku-20241022",
                      "--description", "Cheap models")
        self.assertEqual({k: out[k] for k in ("name", "description", "models", "accounts", "updated_by")},
                         {"name": "starter", "description": "Cheap models", "models": CHEAP, "accounts": 0,
                          "updated_by": "tester@igny8ctl"})
        self.assertEqual(self.ok("access", "group", "get", "starter"), out)
        self.assertEqual(self.ok("access", "groups"), [out])
        table = self.ok("access", "groups", "--format", "table")
        self.assertEqual(table.splitlines()[0].split(), ["NAME", "DESCRIPTION", "MODELS", "ACCOUNTS"])
        self.assertRegex(table, r"(?m)^starter\s+Cheap models\s+claude-3-5-haiku-20241022, gpt-4o-mini\s+0$")
        table = self.ok("access", "group", "get", "starter", "--format", "table")
        self.assertRegex(table, r"(?m)^models:\s+claude-3-5-haiku-20241022, gpt-4o-mini$")
        # set replaces the whole group; put changes the fields present
        out = self.ok("access", "group", "set", "starter", "--models", "gpt-4o-mini")
        self.assertEqual((out["models"], out["description"]), (["gpt-4o-mini"], None))
        out = self.ok("access", "group", "put", "starter", "--json", "-", stdin='{"description":"Cheap"}')
        self.assertEqual((out["models"], out["description"]), (["gpt-4o-mini"], "Cheap"))
        body = self.write("pro.json", json.dumps({"models": ["gpt-4o", "gpt-4.1"], "description": "Pro"}))
        self.assertEqual(self.ok("access", "group", "put", "pro", "--json", body)["models"], ["gpt-4.1", "gpt-4o"])
        empty = self.ok("access", "group", "set", "none-yet", "--models", "")
        self.assertEqual(empty["models"], [])
        self.assertRegex(self.ok("access", "groups", "--format", "table"), r"(?m)^none-yet\s+-\s+\(none\)\s+0$")
        self.assertEqual([g["name"] for g in self.ok("access", "groups")], ["none-yet", "pro", "starter"])
        self.assertEqual(len(self.ok("audit", "--entity", "access_group")["entries"]), 5)

    def test_errors_name_the_field_and_write_nothing(self):
        self.ok("access", "group", "set", "starter", "--models", ",".join(CHEAP))
        before = self.ok("audit")
        self.fails(2, "access", "group", "set", "starter")
        self.fails(2, "access", "group", "set", "starter", "extra", "--models", "gpt-4o")
        self.fails(2, "access", "group", "put", "starter")
        self.fails(3, "access", "group", "set", "bad!", "--models", "", field="name")
        self.fails(4, "access", "group", "set", "starter", "--models", "gpt-4o,nosuch", field="models[1]")
        self.fails(4, "access", "group", "set", "starter", "--models", "gpt-4o,,gpt-4.1", field="models[1]")
        self.fails(3, "access", "group", "put", "starter", "--json", "-", stdin='{"name":"other"}', field="name")
        self.fails(3, "access", "group", "put", "starter", "--json", "-", stdin='{"frob":1}', field="frob")
        self.fails(3, "access", "group", "put", "starter", "--json", "-", stdin='{"models":["gpt-4o","nosuch"]}',
                   field="models[1]")
        self.fails(3, "access", "group", "put", "starter", "--json", self.path("missing.json"), field="json")
        self.fails(4, "access", "group", "get", "nosuch", field="name")
        self.fails(4, "access", "group", "delete", "nosuch", field="name")
        self.assertEqual(self.ok("audit"), before)
        self.assertEqual(self.ok("access", "group", "get", "starter")["models"], CHEAP)

    def test_delete_is_refused_while_accounts_are_assigned(self):
        self.ok("access", "group", "set", "starter", "--models", ",".join(CHEAP))
        self.ok("access", "account", "group", "42", "starter")
        self.assertEqual(self.ok("access", "group", "get", "starter")["accounts"], 1)
        self.assertIn("'starter'", self.fails(5, "access", "group", "delete", "starter", field="name"))
        self.ok("access", "account", "group", "42", "--clear")
        self.assertEqual(self.ok("access", "group", "delete", "starter"), {"name": "starter", "deleted": True})
        self.assertEqual(self.ok("access", "groups"), [])
        self.assertEqual(self.ok("access", "groups", "--format", "table"), "(none)\n")


class TestAccountAccess(CtlTestCase):
    def setUp(self):
        super().setUp()
        self.models = self.ok("models", "list")
        self.ok("access", "group", "set", "starter", "--models", ",".join(CHEAP))

    def test_group_additions_removals(self):
        out = self.ok("access", "account", "get", "42")
        self.assertEqual((out["account_id"], out["group"], out["additions"], out["removals"], out["fallbacks"]),
                         (42, None, [], [], {}))
        self.assertEqual(out["allowed_models"], [m["model_name"] for m in self.models])
        out = self.ok("access", "account", "group", "42", "starter")
        self.assertEqual((out["group"], out["allowed_models"]), ("starter", CHEAP))
        out = self.ok("access", "account", "allow", "42", "gpt-4o")
        self.assertEqual((out["additions"], out["allowed_models"]), (["gpt-4o"], sorted(CHEAP + ["gpt-4o"])))
        out = self.ok("access", "account", "deny", "42", "gpt-4o-mini")
        self.assertEqual((out["removals"], out["allowed_models"]), (["gpt-4o-mini"], [CHEAP[0], "gpt-4o"]))
        out = self.ok("access", "account", "inherit", "42", "gpt-4o")
        self.assertEqual((out["additions"], out["allowed_models"]), ([], [CHEAP[0]]))
        self.assertEqual(self.ok("access", "account", "get", "42"), out)
        self.assertIn("every level and fallback was skipped", self.fails(4, "resolve", "42", "ideas", field="operation"))
        self.ok("fallbacks", "set", "ideas", CHEAP[0], "--account", "42")
        self.fails(4, "resolve", "42", "ideas", field="operation")  # a fallback needs a key
        self.ok("keys", "set", "anthropic", stdin=KEY_STDIN)
        self.assertEqual(self.ok("resolve", "42", "ideas")["model"], CHEAP[0])
        table = self.ok("access", "account", "get", "42", "--format", "table")
        for line in (r"account_id:\s+42", r"group:\s+starter", r"additions:\s+\(none\)", r"removals:\s+gpt-4o-mini",
                     r"max_cost_per_image:\s+-", r"fallbacks\.ideas:\s+claude-3-5-haiku-20241022",
                     r"allowed_models:\s+claude-3-5-haiku-20241022"):
            self.assertRegex(table, f"(?m)^{line}$")
        out = self.ok("access", "account", "group", "42", "--clear")
        self.assertEqual((out["group"], len(out["allowed_models"])), (None, len(self.models) - 1))
        entries = self.ok("audit", "--entity", "account_access", "--account", "42")["entries"]
        self.assertEqual(len(entries), 5)

    def test_put_and_errors(self):
        out = self.ok("access", "account", "put", "42", "--json", "-",
                      stdin=json.dumps({"group": "starter", "additions": ["gpt-4o"], "max_cost_per_image": 0.05,
                                        "fallbacks": {"ideas": ["claude-3-5-haiku-20241022"]}}))
        self.assertEqual((out["group"], out["additions"], out["max_cost_per_image"], out["fallbacks"]),
                         ("starter", ["gpt-4o"], 0.05, {"ideas": ["claude-3-5-haiku-20241022"]}))
        before = self.ok("access", "account", "get", "42")
        audit = self.ok("audit")
        self.fails(3, "access", "account", "put", "42", "--json", "-", stdin='{"additions":["gpt-4o","nosuch"]}',
                   field="additions[1]")
        self.fails(3, "access", "account", "put", "42", "--json", "-", stdin='{"account_id":43}', field="account_id")
        self.fails(3, "access", "account", "put", "42", "--json", "-", stdin='{"fallbacks":{"ideas":["nosuch"]}}',
                   field="fallbacks.ideas[0]")
        self.fails(3, "access", "account", "put", "42", "--json", "-", stdin="{")
        self.fails(2, "access", "account", "put", "42")
        self.fails(4, "access", "account", "group", "42", "nosuch", field="group")
        self.fails(2, "access", "account", "group", "42")
        self.fails(2, "access", "account", "group", "42", "starter", "--clear")
        self.fails(4, "access", "account", "allow", "42", "nosuch", field="model")
        self.fails(2, "access", "account", "deny", "42")
        self.assertEqual(self.ok("access", "account", "get", "42"), before)
        self.assertEqual(self.ok("audit"), audit)
        out = self.ok("access", "account", "put", "42", "--json", "-", stdin='{"group":null,"fallbacks":{"ideas":null}}')
        self.assertEqual((out["group"], out["fallbacks"]), (None, {}))

    def test_budget_keeps_the_ceiling_not_given(self):
        out = self.ok("access", "account", "budget", "42", "--text", "0.005")
        self.assertEqual((out["max_cost_per_1k_tokens"], out["max_cost_per_image"]), (0.005, None))
        out = self.ok("access", "account", "budget", "42", "--image", "0.03")
        self.assertEqual((out["max_cost_per_1k_tokens"], out["max_cost_per_image"]), (0.005, 0.03))
        audit = self.ok("audit", "--entity", "account_access")["entries"]
        self.ok("access", "account", "budget", "42", "--image", "0.03")  # a write that changes nothing
        self.ok("access", "account", "budget", "42", "--text", "0.005", "--image", "0.03")
        self.assertEqual(self.ok("audit", "--entity", "account_access")["entries"], audit)
        table = self.ok("access", "account", "budget", "42", "--text", "none", "--format", "table")
        self.assertRegex(table, r"(?m)^max_cost_per_1k_tokens:\s+-$")
        self.assertRegex(table, r"(?m)^max_cost_per_image:\s+0\.03$")
        out = self.ok("access", "account", "budget", "42", "--image", "none", "--text", "1000000")
        self.assertEqual((out["max_cost_per_1k_tokens"], out["max_cost_per_image"]), (1000000, None))
        self.ok("access", "account", "budget", "42", "--text", "0.005", "--image", "0.03")
        before = self.ok("audit")
        for bad in ("-1", "+1", "1e-3", " 1", "1 ", ".5", "5.", "nan", "inf", "0x1", "1,5", "1000001", "", "cheap"):
            with self.subTest(bad=bad):
                err = self.fails(3, "access", "account", "budget", "42", "--text", bad, field="text")
                self.assertIn("--text '", err)
                self.fails(3, "access", "account", "budget", "42", "--text", "none", "--image", bad, field="image")
        self.fails(2, "access", "account", "budget", "42")
        self.fails(2, "access", "account", "budget", "42", "--text")
        self.assertEqual(self.ok("audit"), before)

    def test_models_the_account_may_choose(self):
        self.assertEqual(self.ok("access", "account", "models", "42"), self.models)
        self.ok("access", "account", "allow", "42", "gpt-4o")
        self.ok("access", "account", "allow", "42", "dall-e-3")
        self.ok("access", "account", "allow", "42", "dall-e-2")
        self.ok("access", "account", "group", "42", "starter")
        self.ok("access", "account", "budget", "42", "--text", "0.005", "--image", "0.03")
        allowed = set(CHEAP + ["gpt-4o", "dall-e-3", "dall-e-2"])
        expected = [m for m in self.models if m["model_name"] in allowed and within(m, 0.005, 0.03)]
        self.assertEqual([m["model_name"] for m in expected], ["claude-3-5-haiku-20241022", "dall-e-2", "gpt-4o-mini"])
        self.assertEqual(self.ok("access", "account", "models", "42"), expected)
        self.assertEqual([m["model_name"] for m in self.ok("access", "account", "models", "42", "--type", "image")],
                         ["dall-e-2"])
        self.assertEqual([m["model_name"] for m in self.ok("access", "account", "models", "42", "--provider",
                                                             "anthropic")], ["claude-3-5-haiku-20241022"])
        table = self.ok("access", "account", "models", "42", "--format", "table")
        lines = table.splitlines()
        self.assertEqual(lines[0].split(), self.ok("models", "list", "--format", "table").splitlines()[0].split())
        self.assertEqual(len(lines), 4)
        self.assertRegex(table, r"(?m)^gpt-4o-mini\s+openai\s+text\s+true\s+true\s")
        self.ok("models", "deactivate", "claude-3-5-haiku-20241022")
        self.assertEqual([m["model_name"] for m in self.ok("access", "account", "models", "42", "--type", "text")],
                         ["gpt-4o-mini"])
        self.fails(3, "access", "account", "models", "42", "--type", "video", field="type")
        self.fails(2, "access", "account", "models", "42", "--active")


class TestFallbackChains(CtlTestCase):
    CHAIN = ["gpt-4o", "claude-3-5-haiku-20241022"]

    def test_platform_and_account_chains(self):
        self.assertEqual(self.ok("fallbacks", "get"), {})
        self.assertEqual(self.ok("fallbacks", "get", "--format", "table"), "(none)\n")
        out = self.ok("fallbacks", "set", "content_generation", *self.CHAIN)
        self.assertEqual(out, {"content_generation": self.CHAIN})
        self.assertEqual(self.ok("fallbacks", "get"), out)
        self.assertRegex(self.ok("fallbacks", "get", "--format", "table"),
                         r"\Acontent_generation:\s+gpt-4o, claude-3-5-haiku-20241022\n\Z")
        # an account's own chain replaces the platform's; an empty one means no fallbacks
        self.assertEqual(self.ok("fallbacks", "set", "content_generation", "--account", "42"),
                         {"content_generation": []})
        self.assertEqual(self.ok("fallbacks", "get", "--account", "42", "--format", "table"),
                         "content_generation: (none)\n")
        self.assertEqual(self.ok("fallbacks", "get"), out)
        self.assertEqual(self.ok("access", "account", "get", "42")["fallbacks"], {"content_generation": []})
        self.assertEqual(self.ok("fallbacks", "clear", "content_generation", "--account", "42"), {})
        self.assertEqual(self.ok("fallbacks", "get", "--account", "42"), {})
        out = self.ok("fallbacks", "put", "--json", "-",
                      stdin=json.dumps({"ideas": ["claude-3-5-haiku-20241022"], "content_generation": None}))
        self.assertEqual(out, {"ideas": ["claude-3-5-haiku-20241022"]})
        body = self.write("chains.json", json.dumps({"ideas": ["gpt-4o-mini"]}))
        self.assertEqual(self.ok("fallbacks", "put", "--json", body, "--account", "42"), {"ideas": ["gpt-4o-mini"]})
        self.assertEqual(self.ok("fallbacks", "clear", "ideas"), {})
        self.assertEqual(self.ok("fallbacks", "get", "--account", "42"), {"ideas": ["gpt-4o-mini"]})
        entries = self.ok("audit", "--entity", "fallback_chain")["entries"]
        self.assertEqual(len(entries), 7)
        self.assertEqual([e["account_id"] for e in entries[:2]], [None, 42])

    def test_errors_name_the_field_and_write_nothing(self):
        self.ok("access", "group", "set", "starter", "--models", ",".join(CHEAP))
        self.ok("access", "account", "group", "42", "starter")
        before = self.ok("audit")
        self.fails(4, "fallbacks", "set", "nosuch", "gpt-4o", field="operation")
        self.fails(4, "fallbacks", "set", "ideas", "gpt-4o", "nosuch", field="models[1]")
        self.assertIn("loop", self.fails(3, "fallbacks", "set", "ideas", "gpt-4o", "gpt-4o", field="models[1]"))
        self.fails(3, "fallbacks", "set", "ideas", "dall-e-3", field="models[0]")
        nine = [m["model_name"] for m in self.ok("models", "list", "--type", "text")] + ["gpt-4o"]
        self.assertEqual(len(nine), 9)
        self.fails(3, "fallbacks", "set", "ideas", *nine, field="models")
        self.fails(3, "fallbacks", "set", "ideas", "gpt-4o", "--account", "42", field="models[0]")
        self.fails(3, "fallbacks", "put", "--json", "-", stdin='{"ideas":["gpt-4o-mini","nosuch"]}', field="ideas[1]")
        self.fails(3, "fallbacks", "put", "--json", "-", stdin='[]')
        self.fails(2, "fallbacks", "put")
        self.fails(2, "fallbacks", "set")
        self.fails(2, "fallbacks", "clear", "ideas", "gpt-4o")
        self.fails(3, "fallbacks", "get", "--account", "042", field="account")
        self.assertEqual(self.ok("audit"), before)
        self.assertEqual(self.ok("fallbacks", "get"), {})


class TestResolveFallbacks(CtlTestCase):
    CHAIN = ["gpt-4o", "claude-3-5-haiku-20241022"]

    def setUp(self):
        super().setUp()
        self.ok("keys", "set", "openai", stdin=KEY_STDIN)
        self.ok("keys", "set", "anthropic", stdin=KEY_ENV)
        self.ok("fallbacks", "set", "content_generation", *self.CHAIN)

    def failed_test(self, integration, owner=0, seconds_ago=5):
        """The last connection test of an integration, failed: written behind the library's back,
        as another process's test-connection would (tests/test_access.c's write_test)."""
        at = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() - seconds_ago))
        sql = ("INSERT INTO connection_status (integration, account_id, tested_at, ok, http_status, latency_ms,"
               f" error_class, message) VALUES ('{integration}', {owner}, '{at}', 0, 500, 12.5, 'server', 'ctl test')")
        if self.schema:
            testbackend.psql(f'SET search_path TO "{self.schema}"; {sql}')
            return
        con = sqlite3.connect(self.db)
        con.execute(sql)
        con.commit()
        con.close()

    def test_fallbacks_in_json_and_table(self):
        out = self.ok("resolve", "7", "content_generation")
        self.assertEqual((out["model"], out["source"]), ("gpt-4o-mini", "global_default"))
        self.assertEqual([(f["model"], f["provider"], f["source"], f["api_key_source"]) for f in out["fallbacks"]],
                         [("gpt-4o", "openai", "fallback", "global"),
                          ("claude-3-5-haiku-20241022", "anthropic", "fallback", "global")])
        self.assertNotIn("trace", out["fallbacks"][0])
        self.assertNotIn("api_key", json.dumps(out).replace("api_key_source", ""))
        table = self.ok("resolve", "7", "content_generation", "--format", "table")
        self.assertRegex(table, r"(?m)^model:\s+gpt-4o-mini$")
        self.assertIn("\nfallbacks:\nMODEL", table)
        self.assertRegex(table, r"(?m)^MODEL\s+PROVIDER\s+SOURCE\s+API_KEY_SOURCE$")
        self.assertRegex(table, r"(?m)^gpt-4o\s+openai\s+fallback\s+global$")
        self.assertRegex(table, r"(?m)^claude-3-5-haiku-20241022\s+anthropic\s+fallback\s+global$")
        self.assertNotIn("trace", table)
        table = self.ok("resolve", "7", "content_generation", "--trace", "--format", "table")
        self.assertRegex(table, r"(?m)^global_default\s+gpt-4o-mini\s+used")
        self.assertIn("trace.fallbacks:\nMODEL", table)
        self.assertRegex(table, r"(?m)^gpt-4o\s+used$")
        # the account's key, and an account that may not use gpt-4o
        self.ok("keys", "set", "anthropic", "--account", "7", stdin=KEY_ACCOUNT)
        self.ok("access", "group", "set", "starter", "--models", ",".join(CHEAP))
        self.ok("access", "account", "group", "7", "starter")
        out = self.ok("resolve", "7", "content_generation", "--trace")
        self.assertEqual([(f["model"], f["api_key_source"]) for f in out["fallbacks"]],
                         [("claude-3-5-haiku-20241022", "account")])
        chain = {f["model"]: f for f in out["trace"]["fallbacks"]}
        self.assertEqual((chain["gpt-4o"]["status"], chain["gpt-4o"]["reason"]), ("skipped", "not_allowed"))
        table = self.ok("resolve", "7", "content_generation", "--trace", "--format", "table")
        self.assertRegex(table, r"(?m)^gpt-4o\s+skipped\s+not_allowed$")
        self.assertRegex(table, r"(?m)^claude-3-5-haiku-20241022\s+anthropic\s+fallback\s+account$")
        self.ok("fallbacks", "set", "content_generation", "--account", "7")
        self.assertEqual(self.ok("resolve", "7", "content_generation")["fallbacks"], [])
        self.assertRegex(self.ok("resolve", "7", "content_generation", "--format", "table"), r"(?m)^fallbacks:\s+\(none\)$")

    def test_skip_unhealthy_after_a_failed_connection_test(self):
        self.failed_test("openai")
        self.assertEqual(self.ok("resolve", "7", "content_generation")["model"], "gpt-4o-mini")
        out = self.ok("resolve", "7", "content_generation", "--skip-unhealthy", "--trace")
        self.assertEqual((out["model"], out["source"], out["fallbacks"]), ("claude-3-5-haiku-20241022", "fallback", []))
        self.assertEqual((out["trace"]["skip_unhealthy"], out["trace"]["unhealthy_window_s"]), (True, 300))
        levels = {lv["level"]: lv for lv in out["trace"]["levels"]}
        self.assertEqual((levels["global_default"]["status"], levels["global_default"]["reason"]),
                         ("skipped", "unhealthy"))
        chain = {f["model"]: f for f in out["trace"]["fallbacks"]}
        self.assertEqual((chain["gpt-4o"]["reason"], chain["gpt-4o"]["last_test"]["error_class"]),
                         ("unhealthy", "server"))
        self.assertEqual(chain["claude-3-5-haiku-20241022"]["status"], "chosen")
        table = self.ok("resolve", "7", "content_generation", "--skip-unhealthy", "--trace", "--format", "table")
        self.assertRegex(table, r"(?m)^model:\s+claude-3-5-haiku-20241022$")
        self.assertRegex(table, r"(?m)^global_default\s+gpt-4o-mini\s+skipped\s+unhealthy$")
        self.assertRegex(table, r"(?m)^gpt-4o\s+skipped\s+unhealthy$")
        # a failure older than the window is not held against the integration
        out = self.ok("resolve", "7", "content_generation", "--skip-unhealthy", "--window-s", "1")
        self.assertEqual(([out["model"]] + [f["model"] for f in out["fallbacks"]]), ["gpt-4o-mini"] + self.CHAIN)
        self.assertEqual(self.ok("resolve", "7", "content_generation", "--skip-unhealthy", "--window-s", "604800",
                                 "--trace")["trace"]["unhealthy_window_s"], 604800)
        self.fails(3, "resolve", "7", "content_generation", "--skip-unhealthy", "--model", "gpt-4o", field="model")
        for bad in ("0", "604801", "-5", " 5", "+5", "5s", ""):
            with self.subTest(bad=bad):
                self.fails(3, "resolve", "7", "content_generation", "--skip-unhealthy", "--window-s", bad,
                           field="window-s")
        self.fails(2, "resolve", "7", "content_generation", "--window-s", "60")
        self.fails(2, "resolve", "7", "content_generation", "--skip-unhealthy=1")


class TestPrompts(CtlTestCase):
    def test_commit_publish_diff_render(self):
        listed = {p["prompt_type"]: p for p in self.ok("prompts", "list")}
        self.assertEqual(listed["ideas"]["published_version"], 1)
        v2 = self.ok("prompts", "commit", "ideas", "--file", "-", "--message", "shorter", stdin="Give {n} ideas on {topic}.\n")
        self.assertEqual((v2["version"], v2["published"], v2["variables"]), (2, False, ["n", "topic"]))
        self.fails(3, "prompts", "commit", "ideas", "--file", "-", stdin="Broken {0}\n", field="value")
        self.fails(2, "prompts", "commit", "ideas")
        self.assertTrue(self.ok("prompts", "publish", "ideas", "2")["published"])
        self.fails(4, "prompts", "publish", "ideas", "9", field="version")
        diff = self.ok("prompts", "diff", "ideas", "1", "2")
        self.assertTrue(diff["diff"].startswith("--- ideas v1\n+++ ideas v2\n"), diff)
        text = self.ok("prompts", "diff", "ideas", "1", "2", "--format", "table")
        self.assertEqual(text, diff["diff"])
        out = self.ok("prompts", "render", "ideas", "--vars", '{"n":3,"topic":"green tea"}')
        self.assertEqual(out["text"], "Give 3 ideas on green tea.\n")
        varsfile = self.write("vars.json", '{"n":true,"topic":"x"}')
        self.assertEqual(self.ok("prompts", "render", "ideas", "--vars", varsfile, "--format", "table"),
                         "Give True ideas on x.\n")
        self.fails(3, "prompts", "render", "ideas", "--vars", '{"n":3}', field="topic")
        versions = self.ok("prompts", "versions", "ideas")
        self.assertEqual([v["version"] for v in versions["versions"]], [2, 1])
        self.assertEqual(self.ok("prompts", "get", "ideas", "--version", "1")["version"], 1)
        self.assertEqual(self.ok("prompts", "get", "ideas")["value"], "Give {n} ideas on {topic}.\n")
        self.assertIn("value:\n  Give {n} ideas", self.ok("prompts", "get", "ideas", "--format", "table"))

    def test_customize_stale_reset(self):
        out = self.ok("prompts", "customize", "7", "ideas", "--file", "-", stdin="Mine: {keywords}")
        self.assertTrue(out["is_customized"])
        self.ok("prompts", "customize", "8", "ideas", "--file", "-", stdin="Also mine: {keywords}")
        self.assertEqual(self.ok("prompts", "stale", "ideas")["accounts"], [])
        self.ok("prompts", "commit", "ideas", "--file", "-", "--publish", stdin="New {keywords}\n")
        stale = self.ok("prompts", "stale", "ideas")
        self.assertEqual(stale["accounts"], [{"account_id": 7, "based_on_version": 1},
                                             {"account_id": 8, "based_on_version": 1}])
        self.assertRegex(self.ok("prompts", "stale", "ideas", "--format", "table"), r"(?m)^7\s+1$")
        self.assertEqual(self.ok("prompts", "render", "ideas", "--account", "7", "--vars", '{"keywords":"k"}')["text"],
                         "Mine: k")
        out = self.ok("prompts", "reset", "7", "ideas")
        self.assertFalse(out["is_customized"])
        self.assertEqual(self.ok("prompts", "reset-bulk", "ideas", "8", "9")["reset_accounts"], [8, 9])
        self.assertEqual(self.ok("prompts", "stale", "ideas")["accounts"], [])
        accounts = {p["prompt_type"]: p for p in self.ok("prompts", "account", "8")}
        self.assertFalse(accounts["ideas"]["is_customized"])

    def test_activation_increment_check(self):
        listed = {p["prompt_type"]: p for p in self.ok("prompts", "deactivate", "ideas", "clustering")}
        self.assertFalse(listed["ideas"]["is_active"])
        self.fails(3, "prompts", "render", "ideas", "--vars", "{}", field="prompt_type")
        self.ok("prompts", "activate", "ideas", "clustering")
        listed = {p["prompt_type"]: p for p in self.ok("prompts", "increment", "ideas", "clustering", "--message", "bump")}
        self.assertEqual(listed["ideas"]["published_version"], 2)
        self.fails(2, "prompts", "increment", "ideas")
        self.fails(4, "prompts", "increment", "ideas", "nosuch", "--message", "x", field="prompt_types[1]")
        self.assertEqual(self.ok("prompts", "check", "--file", "-", db=False, stdin="Hi {name} {{x}}"),
                         {"valid": True, "variables": ["name"]})
        self.fails(3, "prompts", "check", "--file", "-", db=False, stdin="Hi {", field="template")
        self.assertEqual(self.ok("prompts", "add-type", "outline")["versions"], [])
        self.fails(5, "prompts", "add-type", "outline")


class TestLibrary(CtlTestCase):
    def test_clone_bulk_clone_copy_reset(self):
        profiles = self.ok("library", "list", "author-profiles")
        self.assertEqual(len(profiles), 7)
        saas = next(p for p in profiles if p["category"] == "saas")
        table = self.ok("library", "list", "strategies", "--category", "blog", "--format", "table")
        self.assertEqual(table.splitlines()[0].split()[:3], ["ID", "NAME", "CATEGORY"])
        self.assertEqual(len(table.splitlines()), 2)
        copy = self.ok("library", "clone", "author-profiles", "7", saas["id"])
        self.assertEqual((copy["account_id"], copy["source_id"], copy["modified"]), (7, saas["id"], False))
        self.fails(5, "library", "clone", "author-profiles", "7", saas["id"])
        ids = ",".join(str(p["id"]) for p in profiles[:2])
        out = self.ok("library", "bulk-clone", "author-profiles", "--sources", ids, "--accounts", "7,8")
        self.assertEqual(out["created"], 4 if saas["id"] not in (profiles[0]["id"], profiles[1]["id"]) else 3)
        self.fails(5, "library", "bulk-clone", "author-profiles", "--sources", ids, "--accounts", "7,8",
                   "--on-existing", "fail")
        self.fails(3, "library", "bulk-clone", "author-profiles", "--sources", "1,x", "--accounts", "7")
        self.fails(2, "library", "bulk-clone", "author-profiles", "--sources", "1")
        edited = self.ok("library", "copy-update", "author-profiles", "7", copy["id"], "--json", "-",
                         stdin='{"tone":"Dry and witty"}')
        self.assertTrue(edited["modified"])
        self.assertEqual(self.ok("library", "copy-get", "author-profiles", "7", copy["id"])["tone"], "Dry and witty")
        self.assertRegex(self.ok("library", "copies", "author-profiles", "7", "--format", "table"),
                         rf"(?m)^{copy['id']}\s+SaaS Product Educator\s+saas\s+true\s+{saas['id']}\s+1\s+true\s")
        reset = self.ok("library", "copy-reset", "author-profiles", "7", copy["id"])
        self.assertFalse(reset["modified"])
        self.assertEqual(reset["tone"], saas["tone"])
        self.fails(4, "library", "copy-reset", "author-profiles", "8", copy["id"])
        self.ok("library", "deactivate", "author-profiles", saas["id"])
        self.assertFalse(self.ok("library", "copy-get", "author-profiles", "7", copy["id"])["source_active"])
        self.assertTrue(self.ok("library", "copy-delete", "author-profiles", "7", copy["id"])["deleted"])
        self.fails(4, "library", "copy-get", "author-profiles", "7", copy["id"])
        self.fails(3, "library", "list", "books", field="kind")

    def test_create_update_activate(self):
        item = {"name": "Ops Voice", "tone": "Plain", "category": "technical",
                "structure_template": {"sections": [{"heading": "Intro"}]}}
        created = self.ok("library", "create", "author-profiles", "--json", "-", stdin=json.dumps(item))
        self.assertEqual(created["revision"], 1)
        self.fails(5, "library", "create", "author-profiles", "--json", "-", stdin=json.dumps(item), field="name")
        bad = dict(item, name="Other", structure_template={"sections": [{"heading": ""}]})
        self.fails(3, "library", "create", "author-profiles", "--json", "-", stdin=json.dumps(bad),
                   field="structure_template.sections[0].heading")
        updated = self.ok("library", "update", "author-profiles", created["id"], "--json", "-", stdin='{"tone":"Warm"}')
        self.assertEqual((updated["tone"], updated["revision"]), ("Warm", 2))
        out = self.ok("library", "deactivate", "author-profiles", created["id"], "1")
        self.assertEqual([i["is_active"] for i in out], [False, False])
        self.assertEqual({i["id"] for i in self.ok("library", "list", "author-profiles", "--inactive")},
                         {created["id"], 1})
        self.ok("library", "activate", "author-profiles", created["id"], "1")
        self.assertEqual(self.ok("library", "list", "author-profiles", "--search", "ops voice")[0]["id"], created["id"])
        self.fails(4, "library", "get", "strategies", "999", field="id")


class TestModulesAndAudit(CtlTestCase):
    def test_modules(self):
        mods = {m["name"]: m for m in self.ok("modules", "list")["modules"]}
        self.assertTrue(mods["planner"]["enabled"])
        self.assertFalse({m["name"]: m for m in self.ok("modules", "set", "planner", "off")["modules"]}
                         ["planner"]["enabled"])
        out = {m["name"]: m for m in self.ok("modules", "account", "7", "planner", "on")["modules"]}
        self.assertEqual((out["planner"]["enabled"], out["planner"]["source"]), (True, "account"))
        table = self.ok("modules", "list", "--account", "7", "--format", "table")
        self.assertRegex(table, r"(?m)^planner\s+true\s+false\s+account\s")
        out = {m["name"]: m for m in self.ok("modules", "account", "7", "planner", "inherit")["modules"]}
        self.assertEqual((out["planner"]["enabled"], out["planner"]["source"]), (False, "global"))
        self.fails(3, "modules", "set", "planner", "maybe", field="enabled")
        self.fails(4, "modules", "set", "nosuch", "on")
        self.assertIn("reports", [m["name"] for m in self.ok("modules", "add", "reports", "--off")["modules"]])

    def test_audit_records_the_actor_and_filters(self):
        self.ok("--actor", "alice", "models", "deactivate", "gpt-4.1")
        self.ok("models", "activate", "gpt-4.1", env={"IGNY8_ACTOR": "bob"})
        self.ok("modules", "account", "7", "planner", "off")
        entries = self.ok("audit", "--limit", "3")["entries"]
        self.assertEqual([e["actor"] for e in entries], ["tester@igny8ctl", "bob", "alice"])
        self.assertEqual([e["key"] for e in self.ok("audit", "--actor", "alice")["entries"]], ["gpt-4.1"])
        self.assertEqual([e["action"] for e in self.ok("audit", "--entity", "model", "--limit", "2")["entries"]],
                         ["activate", "deactivate"])
        self.assertEqual(len(self.ok("audit", "--account", "7")["entries"]), 1)
        self.assertEqual(self.ok("audit", "--since", "2999-01-01T00:00:00Z")["entries"], [])
        table = self.ok("audit", "--limit", "3", "--format", "table")
        self.assertRegex(table, r"(?m)^ID\s+AT\s+ACTOR\s+ENTITY\s+KEY\s+ACCOUNT_ID\s+ACTION$")
        self.assertRegex(table, r"(?m)\salice\s+model\s+gpt-4\.1\s+-\s+deactivate$")
        self.fails(3, "audit", "--limit", "0", field="limit")


class TestTransfer(CtlTestCase):
    def test_export_import_round_trip(self):
        self.ok("keys", "set", "openai", stdin=KEY_STDIN)
        self.ok("account", "integration", "put", "42", "openai", "--json", "-", stdin='{"model":"gpt-4o"}')
        self.ok("prompts", "customize", "7", "ideas", "--file", "-", stdin="Mine {keywords}")
        self.ok("library", "clone", "strategies", "7", "8")
        first = self.run_ctl("export")
        self.assertEqual(first.returncode, 0)
        doc = json.loads(first.stdout)
        self.assertEqual(doc["format"], "igny8settings")
        self.assertNotIn("api_key", first.stdout)
        # Into a new store from a file, and again from standard input.
        other = self.path("other.db")
        self.ok("init", db=other)
        dump = self.path("dump.json")
        self.assertEqual(self.ok("export", "-o", dump)["exported"], dump)
        out = self.ok("import", dump, db=other)
        self.assertEqual((out["mode"], out["rows"]["models"]), ("merge", 12))
        self.assertEqual(self.run_ctl("export", db=other).stdout, first.stdout)
        out = self.ok("import", "-", "--replace", stdin=first.stdout, db=other)
        self.assertEqual(out["mode"], "replace")
        self.assertEqual(self.run_ctl("export", db=other).stdout, first.stdout)
        self.assertEqual(self.ok("account", "integration", "get", "42", "openai", db=other)["model"], "gpt-4o")
        # A key-less export replaces without keys; a merge keeps them.
        self.assertFalse(self.ok("global", "get", db=other)["integrations"]["openai"]["api_key"]["configured"])
        self.ok("import", dump)
        self.assertTrue(self.ok("global", "get")["integrations"]["openai"]["api_key"]["configured"])

    def test_bad_documents_change_nothing(self):
        before = self.run_ctl("export").stdout
        doc = json.loads(before)
        doc["models"][3]["input_cost_per_1k"] = -1
        self.fails(3, "import", "-", stdin=json.dumps(doc), field="$.models[3].input_cost_per_1k")
        self.fails(3, "import", "-", stdin="{not json")
        doc = json.loads(before)
        doc["format_version"] = 99
        self.fails(6, "import", "-", stdin=json.dumps(doc))
        self.fails(3, "import", self.path("missing.json"), field="file")
        self.assertEqual(self.run_ctl("export").stdout, before)


class TestAllowHttp(CtlTestCase):
    """A base_url receives the key: plain http:// to a host other than loopback is refused
    unless the global option --allow-http opens the stores with IGNY8_STORE_ALLOW_HTTP."""

    REMOTE = json.dumps({"integrations": {"openai": {"base_url": "http://proxy.internal:3128/v1"}}})

    def test_plain_http_to_another_host_needs_the_option(self):
        err = self.fails(3, "global", "put", "--json", "-", stdin=self.REMOTE, field="integrations.openai.base_url")
        self.assertIn("https://", err)
        self.assertNotIn("proxy.internal", err)
        self.ok("global", "put", "--json", "-",
                stdin=json.dumps({"integrations": {"anthropic": {"base_url": "http://localhost:8080/v1"}}}))
        for args in (["--allow-http", "global", "put"], ["global", "put", "--allow-http"]):
            out = self.ok(*args, "--json", "-", stdin=self.REMOTE)
            self.assertEqual(out["integrations"]["openai"]["base_url"], "http://proxy.internal:3128/v1")
        self.fails(2, "--allow-http=yes", "global", "get")
        self.fails(2, "global", "get", "--allow-http=1")

    def test_imports_and_copies_of_such_a_url_need_it_too(self):
        self.ok("--allow-http", "global", "put", "--json", "-", stdin=self.REMOTE)
        dump = self.path("dump.json")
        self.ok("export", "-o", dump)
        with open(dump) as f:
            names = [i["name"] for i in json.load(f)["integrations"]]
        field = f"$.integrations[{names.index('openai')}].base_url"
        other = self.path("other.db")
        self.ok("init", db=other)
        self.fails(3, "import", dump, db=other, field=field)
        self.ok("--allow-http", "import", dump, db=other)
        self.assertEqual(self.ok("global", "get", db=other)["integrations"]["openai"]["base_url"],
                         "http://proxy.internal:3128/v1")
        copy = self.path("copy.db")
        src = ["--src-schema", self.schema] if self.schema else []
        self.fails(3, "store", "copy", self.db, copy, *src, db=False, field=field)
        self.assertTrue(self.ok("--allow-http", "store", "copy", self.db, copy, *src, db=False)["identical"])


class TestStoreCopy(CtlTestCase):
    def export_with_keys(self, db, schema=None):
        args = ["--db", db] + (["--schema", schema] if schema else []) + ["export", "--with-keys", "--plaintext-keys"]
        p = subprocess.run([CTL] + args, capture_output=True, text=True, env=ctl_env(), timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout  # holds keys: never added to the transcript

    def test_copy_there_and_back_is_byte_identical(self):
        self.ok("keys", "set", "openai", stdin=KEY_STDIN)
        self.ok("keys", "set", "anthropic", "--account", "42", stdin=KEY_ACCOUNT)
        self.ok("account", "integration", "put", "42", "openai", "--json", "-", stdin='{"model":"gpt-4o"}')
        self.ok("prompts", "customize", "7", "ideas", "--file", "-", stdin="Mine {keywords}")
        self.ok("library", "clone", "strategies", "7", "8")
        self.ok("modules", "account", "7", "writer", "off")
        source = self.export_with_keys(self.db, self.schema)
        src = ["--src-schema", self.schema] if self.schema else []
        # to a new store of the other backend (or a new file), and from it to a third
        mid = testbackend.place() if not self.schema else {"path": self.path("copy.db")}
        mid_schema = mid.get("schema")
        dst = (["--dst-schema", mid_schema] if mid_schema else [])
        out = self.ok("store", "copy", self.db, mid["path"], *src, *dst, db=False)
        self.assertTrue(out["identical"])
        self.assertEqual(out["rows"]["account_integrations"], 2)
        self.assertEqual(self.export_with_keys(mid["path"], mid_schema), source)
        back = self.path("back.db")
        out = self.ok("store", "copy", mid["path"], back, *(["--src-schema", mid_schema] if mid_schema else []),
                      db=False)
        self.assertTrue(out["identical"])
        self.assertEqual(self.export_with_keys(back), source)
        # a store that holds settings is not overwritten unless asked
        self.fails(3, "store", "copy", back, mid["path"], *dst, db=False, field="DST")
        self.ok("models", "deactivate", "gpt-4.1", db=back)
        out = self.ok("store", "copy", back, mid["path"], *dst, "--replace", db=False)
        self.assertTrue(out["identical"])
        self.assertNotEqual(self.export_with_keys(mid["path"], mid_schema), source)
        # a source that does not exist is not created
        self.fails(6, "store", "copy", self.path("nothere.db"), back, db=False)
        self.assertFalse(os.path.exists(self.path("nothere.db")))


class TestIds(CtlTestCase):
    """An account id (and a library item's id) has one spelling: decimal digits only,
    1..INT64_MAX, no sign, white space, underscore, hex or leading zero ("042" could be
    meant as octal, and one account must not be two strings in scripts and logs). The error
    names the argument or option as the usage writes it, and its field."""

    BAD = (" 42", "42 ", "\t42", "+42", "-42", "4_2", "0x2a", "042", "00", "0", "", "4 2", "4\n2", "\u0664\u0662",
           "42abc", "9223372036854775808", "99999999999999999999")

    def test_account_ids_are_digits_only(self):
        for bad in self.BAD:
            with self.subTest(bad=bad):
                self.assertIn("ACCOUNT", self.fails(3, "account", "integrations", bad, field="account_id"))
                self.fails(3, "resolve", bad, "ideas", field="account_id")
                self.fails(3, "prompts", "reset-bulk", "ideas", "7", bad, field="account_id")
                self.fails(3, "library", "copies", "strategies", bad, field="account_id")
                self.assertIn("--account '", self.fails(3, "modules", "list", "--account", bad, field="account"))
                self.fails(3, "audit", "--account", bad, field="account")
                self.fails(3, "prompts", "render", "ideas", "--account", bad, "--vars", "{}", field="account")
                self.fails(3, "test-connection", "openai", "--account", bad, field="account")
                self.assertIn("ACCOUNT", self.fails(3, "access", "account", "get", bad, field="account_id"))
                self.fails(3, "access", "account", "budget", bad, "--text", "1", field="account_id")
                self.fails(3, "access", "account", "allow", bad, "gpt-4o", field="account_id")
                self.fails(3, "access", "account", "models", bad, field="account_id")
                self.assertIn("--account '", self.fails(3, "fallbacks", "get", "--account", bad, field="account"))
                self.fails(3, "fallbacks", "set", "ideas", "gpt-4o", "--account", bad, field="account")
                self.fails(3, "library", "bulk-clone", "strategies", "--sources", "1", "--accounts", f"7,{bad}",
                           field="accounts")
        # keys never echo their arguments
        err = self.fails(3, "keys", "list", "--account", " 7", field="account")
        self.assertNotIn(" 7'", err)

    def test_good_ids_and_the_largest(self):
        self.assertEqual(len(self.ok("account", "integrations", "42")), 4)
        self.assertEqual(len(self.ok("account", "integrations", "9223372036854775807")), 4)
        self.assertEqual(self.ok("resolve", "7", "ideas")["model"], "gpt-4o-mini")
        self.ok("modules", "list", "--account", "7")

    def test_library_ids_follow_the_same_rule(self):
        for bad in (" 1", "+1", "01", "0", "1_0"):
            with self.subTest(bad=bad):
                self.assertIn("ID", self.fails(3, "library", "get", "strategies", bad, field="id"))
                self.fails(3, "library", "clone", "strategies", "7", bad, field="source_id")
                self.fails(3, "library", "bulk-clone", "strategies", "--sources", bad, "--accounts", "7",
                           field="sources")

    def test_other_integers_take_no_space_or_plus(self):
        for bad in (" 5", "+5", "5 "):
            self.fails(3, "audit", "--limit", bad, field="limit")
        self.ok("audit", "--limit", "5")


class TestExitCodes(CtlTestCase):
    def test_usage_errors_exit_2(self):
        for args in (["frob"], ["models"], ["models", "frob"], ["models", "get"], ["models", "get", "a", "b"],
                     ["models", "list", "--frob"], ["models", "list", "--provider"], ["models", "list", "--active=1"],
                     ["--format", "yaml", "models", "list"], ["--frob", "models", "list"], []):
            self.fails(2, *args)

    def test_invalid_input_exits_3_and_names_the_field(self):
        self.fails(3, "models", "update", "gpt-4o", "--json", "-", stdin='{"max_output_tokens":"many"}',
                   field="max_output_tokens")
        self.fails(3, "account", "integration", "put", "42", "openai", "--json", "-", stdin="{")
        self.fails(3, "models", "add", "--json", self.path("nothere.json"), field="json")
        self.fails(3, "account", "models", "-4", field="account_id")

    def test_not_found_exits_4_and_conflict_5(self):
        self.fails(4, "models", "get", "nosuch", field="model")
        self.fails(4, "prompts", "get", "nosuch")
        self.fails(4, "library", "get", "author-profiles", "999")
        self.fails(5, "defaults", "load")
        self.fails(5, "models", "add", "--json", "-",
                   stdin='{"model_name":"gpt-4o","provider":"openai","model_type":"text"}')

    @unittest.skipIf(testbackend.postgres(), "SQLite's files (test_postgres.c covers the server's cases)")
    def test_store_errors_exit_6(self):
        self.assertIn("does not exist", self.fails(6, "models", "list", db=self.path("missing.db")))
        self.assertFalse(os.path.exists(self.path("missing.db")))
        junk = self.path("junk.db")
        with open(junk, "wb") as f:
            f.write(os.urandom(8192))
        self.fails(6, "models", "list", db=junk)
        self.fails(6, "init", db=junk)
        newer = self.path("newer.db")
        self.ok("init", db=newer)
        con = sqlite3.connect(newer)
        con.execute("PRAGMA user_version = 99")
        con.commit()
        con.close()
        self.fails(6, "models", "list", db=newer)

    def test_other_failures_exit_7(self):
        with open("/dev/full", "w") as full:
            p = self.run_ctl("export", stdout=full)
        self.assertEqual(p.returncode, 7, p.stderr)
        self.assertEqual(p.stderr, "igny8ctl: cannot write to standard output\n")


class TestHealth(CtlTestCase):
    def health(self, *args, code=0):
        p = self.run_ctl("health", *args)
        self.assertEqual(p.returncode, code, p.stderr)
        return p.stdout

    def test_health(self):
        out = json.loads(self.health())
        self.assertEqual(out["schema_version"], self.ok("init")["schema_version"])
        self.assertFalse(out["ok"])  # the platform's integrations have no keys yet
        self.assertTrue(out["reasons"])
        self.health("--check", code=8)
        self.ok("keys", "set", "openai", stdin=KEY_STDIN)
        self.ok("keys", "set", "runware", stdin=KEY_ENV)
        self.ok("keys", "set", "anthropic", stdin=KEY_ACCOUNT)
        out = json.loads(self.health("--check"))
        self.assertTrue(out["ok"], out["reasons"])
        providers = {p["integration"]: p for p in out["providers"]}
        self.assertTrue(providers["openai"]["key_configured"])
        table = self.health("--format", "table")
        self.assertRegex(table, r"(?m)^ok:\s+true$")
        self.assertRegex(table, r"(?m)^INTEGRATION\s+PROVIDER\s+KEY_CONFIGURED")


class TestConnection(CtlTestCase):
    def setUp(self):
        super().setUp()
        fake = os.environ.get("FAKE_PROVIDER", "")
        if not fake or not os.path.exists(fake):
            self.skipTest("FAKE_PROVIDER does not name tests/fake_provider")
        self.server = subprocess.Popen([fake, "--lifetime", "120"], stdout=subprocess.PIPE, text=True,
                                       env=ctl_env())
        self.addCleanup(self.stop_server)
        line = self.server.stdout.readline()
        self.assertRegex(line, r"^PORT \d+$")
        base = f"http://127.0.0.1:{line.split()[1]}/v1"
        self.ok("global", "put", "--json", "-", stdin=json.dumps({"integrations": {"openai": {"base_url": base}}}))

    def stop_server(self):
        self.server.terminate()
        self.server.wait(timeout=30)
        self.server.stdout.close()

    def test_connection_ok_and_failing(self):
        self.fails(4, "test-connection", "openai", field="api_key")
        self.ok("keys", "set", "openai", stdin="sk-test-FAKE-ok-0000qrst")
        out = self.ok("test-connection", "openai", "--timeout-ms", "10000")
        self.assertTrue(out["ok"])
        self.assertEqual(out["http_status"], 200)
        self.ok("keys", "set", "openai", stdin="sk-test-FAKE-401-0000uvwx")
        p = self.run_ctl("test-connection", "openai")
        self.assertEqual(p.returncode, 8, p.stderr)
        out = json.loads(p.stdout)
        self.assertEqual((out["ok"], out["http_status"], out["error_class"]), (False, 401, "auth"))
        self.assertNotIn("FAKE-401", p.stdout + p.stderr)
        self.assertRegex(p.stderr, r"\Aigny8ctl: [^\n]+\n\Z")
        self.ok("keys", "set", "openai", "--account", "7", stdin="sk-test-FAKE-ok-0000yzab")
        out = self.ok("test-connection", "openai", "--account", "7")
        self.assertEqual((out["ok"], out["key_source"]), (True, "account"))
        status = self.ok("connection-status")
        self.assertEqual(len([s for s in status if s["integration"] == "openai"]), 2)
        self.assertNotIn("FAKE", json.dumps(status))
        self.fails(3, "test-connection", "openai", "--timeout-ms", "999999", field="timeout_ms")

    def test_resolve_skips_an_integration_whose_test_failed(self):
        self.ok("keys", "set", "openai", stdin="sk-test-FAKE-401-0000uvwx")
        self.ok("keys", "set", "anthropic", stdin=KEY_ENV)
        self.ok("fallbacks", "set", "content_generation", "gpt-4o", "claude-3-5-haiku-20241022")
        self.assertEqual(self.run_ctl("test-connection", "openai").returncode, 8)
        self.assertEqual(self.ok("resolve", "7", "content_generation")["model"], "gpt-4o-mini")
        out = self.ok("resolve", "7", "content_generation", "--skip-unhealthy", "--trace")
        self.assertEqual((out["model"], out["source"]), ("claude-3-5-haiku-20241022", "fallback"))
        chain = {f["model"]: f for f in out["trace"]["fallbacks"]}
        self.assertEqual((chain["gpt-4o"]["reason"], chain["gpt-4o"]["last_test"]["error_class"]), ("unhealthy", "auth"))
        self.assertNotIn("FAKE", json.dumps(out))
        # the account's own key passes its test: the account's calls are healthy again
        self.ok("keys", "set", "openai", "--account", "7", stdin="sk-test-FAKE-ok-0000yzab")
        self.ok("test-connection", "openai", "--account", "7")
        out = self.ok("resolve", "7", "content_generation", "--skip-unhealthy")
        self.assertEqual((out["model"], out["api_key_source"]), ("gpt-4o-mini", "account"))
        self.assertEqual([f["model"] for f in out["fallbacks"]], ["gpt-4o", "claude-3-5-haiku-20241022"])


if __name__ == "__main__":
    unittest.main()
