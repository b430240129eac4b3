"""The resolver's table of plans and fallbacks (tests/fixtures/access_cases.json) through
the Python bindings, case by case as tests/test_access.c runs it: a fresh store on the
test backend with the shipped defaults, the prelude and the case's steps applied through
Store's methods, then Store.resolve and every expectation of the case checked on the
Resolution, its trace and its fallbacks. One test method per case, named after it.

Run by CTest (python_access, python_access_pg) with IGNY8_LIBRARY pointing at the built
library and PYTHONPATH at bindings/python."""

import json
import os
import re
import sqlite3
import time
import unittest

import igny8settings as igny8
import testbackend
from igny8settings import _ffi, errors

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "access_cases.json")
ACTOR = "plans-test"
ERROR_CODES = {"EINVAL": errors.EINVAL, "ENOTFOUND": errors.ENOTFOUND}

with open(FIXTURE, encoding="utf-8") as f:
    TABLE = json.load(f)
ACCOUNT = TABLE["account"]


def sql_literal(value):
    """A value of the connection-status row as SQL text: NULL, a number, or a quoted string."""
    if value is None:
        return "NULL"
    if isinstance(value, (bool, int, float)):
        return str(int(value) if isinstance(value, bool) else value)
    return "'" + str(value).replace("'", "''") + "'"


def connection_status_sql(owner, integration, ok, seconds_ago, error_class):
    """test_access.c's write_test: the integration's last connection test, as a test in
    another process would record it."""
    at = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() - seconds_ago))
    values = ", ".join(sql_literal(v) for v in (integration, owner, at, bool(ok), 200 if ok else 500, 12.5,
                                                error_class, "table test"))
    return ("INSERT INTO connection_status (integration, account_id, tested_at, ok, http_status, latency_ms,"
            f" error_class, message) VALUES ({values}) ON CONFLICT (integration, account_id) DO UPDATE SET"
            " tested_at = excluded.tested_at, ok = excluded.ok, error_class = excluded.error_class")


def run_behind_the_library(place, sql):
    """Run SQL on the store at place with another connection than the library's."""
    if "schema" in place:
        testbackend.psql(f'SET search_path TO "{place["schema"]}"; {sql}')
        return
    with sqlite3.connect(place["path"], timeout=30) as db:  # commits on leaving
        db.execute(sql)
    db.close()


def outcome(entry):
    """A trace entry as the table writes it: its status, or the reason it was skipped."""
    return entry["reason"] if entry["status"] == "skipped" else entry["status"]


class AccessCases(unittest.TestCase):
    """One test per case of access_cases.json (added below)."""

    def setUp(self):
        self.place = testbackend.place()
        self.st = igny8.Store(**self.place, sync_normal=True)
        self.addCleanup(self.st.close)
        self.st.load_defaults(ACTOR)

    # ---- the steps ----

    def apply_step(self, step):
        op, args = step[0], step[1:]
        st = self.st
        if op == "group":
            st.set_access_group(ACTOR, args[0], args[1])
        elif op == "access":
            st.put_account_access(ACTOR, ACCOUNT, args[0])
        elif op == "chains":
            st.put_fallbacks(ACTOR, args[0], args[1])
        elif op == "integration":
            st.put_integration(ACTOR, ACCOUNT, args[0], args[1])
        elif op == "global":
            st.put_global_settings(ACTOR, args[0])
        elif op == "model_active":
            st.set_model_active(ACTOR, args[0], args[1])
        elif op == "operation_model":
            st.set_account_operation_model(ACTOR, ACCOUNT, args[0], args[1])
        elif op == "provider":
            st.set_account_provider(ACTOR, ACCOUNT, args[0], args[1])
        elif op == "key":
            if args[0]:
                st.set_account_key(ACTOR, args[0], args[1], args[2])
            else:
                st.set_global_key(ACTOR, args[1], args[2])
        elif op == "test":
            run_behind_the_library(self.place, connection_status_sql(*args))
        else:
            self.fail(f"unknown step {op!r} in access_cases.json")

    # ---- the checks ----

    def check_trace(self, r, expect):
        trace = r.trace
        self.assertEqual([outcome(level) for level in trace["levels"]], expect["levels"], "the levels")
        chain = trace["fallbacks"]
        self.assertEqual([[e["model"], outcome(e)] for e in chain], expect["chain"], "the chain's models")
        for e in chain:
            self.assertIn("estimated_cost", e, e["model"])
        self.assertEqual(trace["fallback_chain"], expect["chain_source"], "fallback_chain")

    def check_detail(self, fallback, want):
        for name in ("integration", "api_key_source", "size"):
            if name in want:
                self.assertEqual(getattr(fallback, name), want[name], f"a fallback's {name}")
        if "temperature" in want:
            self.assertAlmostEqual(fallback.temperature, want["temperature"], delta=1e-9,
                                   msg="a fallback's temperature")

    def check_fallbacks(self, r, expect):
        fallbacks = r.fallbacks
        self.assertEqual([f.model for f in fallbacks], expect["fallbacks"], "the fallbacks")
        details = expect.get("fallback_details")
        for i, f in enumerate(fallbacks):
            self.assertEqual(f.source, "fallback")
            self.assertEqual(f.fallbacks, ())
            if details:
                self.check_detail(f, details[i])
        self.assertFalse(_ffi.fn.resolution_fallback_at(r._h, len(fallbacks)))  # NULL past the end

    def check_case(self, resolve, expect):
        args = (ACCOUNT, resolve["operation"], resolve.get("model"))
        options = {"skip_unhealthy": bool(resolve.get("skip_unhealthy")),
                   "unhealthy_window_s": int(resolve.get("window_s", 0))}
        if "error" in expect:
            with self.assertRaises(igny8.Igny8Error) as cm:
                self.st.resolve(*args, **options)
            self.assertEqual((cm.exception.code, cm.exception.field), (ERROR_CODES[expect["error"]], expect["field"]),
                             cm.exception.message)
            return
        with self.st.resolve(*args, **options) as r:
            self.assertEqual(r.model, expect["model"], "the model")
            self.assertEqual(r.source, expect["source"], "the source")
            if "api_key_source" in expect:
                self.assertEqual(r.api_key_source, expect["api_key_source"], "the key source")
            self.check_trace(r, expect)
            self.check_fallbacks(r, expect)
            for text in [json.dumps(r.to_dict()), json.dumps(r.trace), repr(r)] + [repr(f) for f in r.fallbacks]:
                self.assertNotIn("FAKE", text)  # the keys of the prelude and the steps

    def run_case(self, case):
        for step in TABLE["prelude"] + case["steps"]:
            self.apply_step(step)
        self.check_case(case["resolve"], case["expect"])


def _method(case):
    def test(self):
        self.run_case(case)
    test.__doc__ = case["name"]
    return test


def _add_cases():
    names = set()
    for i, case in enumerate(TABLE["cases"]):
        slug = re.sub(r"[^a-z0-9]+", "_", case["name"].lower()).strip("_")[:70]
        name = f"test_{i + 1:02d}_{slug}"
        assert case["name"] not in names, f"two cases are named {case['name']!r}"
        names.add(case["name"])
        setattr(AccessCases, name, _method(case))


_add_cases()


class Table(unittest.TestCase):
    def test_the_table_is_the_shared_one(self):
        self.assertGreaterEqual(len(TABLE["cases"]), 40)
        self.assertEqual(len([n for n in dir(AccessCases) if n.startswith("test_")]), len(TABLE["cases"]))


if __name__ == "__main__":
    unittest.main()
