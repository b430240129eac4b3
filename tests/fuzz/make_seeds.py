#!/usr/bin/env python3
"""Write the seed corpora of the fuzz targets into tests/fuzz/corpus/<target>/ (README.md).

Run it after changing the defaults or a JSON shape, from the source tree, against a built
library:
    IGNY8_LIBRARY=build/libigny8settings.so PYTHONPATH=bindings/python \
        python3 tests/fuzz/make_seeds.py
It replaces the files it writes (seed_*) and leaves any other file of a corpus alone.
"""

import json
import os
import sqlite3
import sys
import tempfile

from igny8settings import Store

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ACTOR = "fuzz"
ACCOUNT = 7


def compact(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(d, "seed_" + name), "wb") as f:
        f.write(data)


def fill(st):
    """The account data of fuzz_common.c's baseline store."""
    st.load_defaults(ACTOR)
    st.set_global_key(ACTOR, "openai", "sk-fuzz-openai-0001")
    st.set_global_key(ACTOR, "runware", "rw-fuzz-0002")
    st.put_integration(ACTOR, ACCOUNT, "openai", {"model": "gpt-4o", "temperature": 0.3, "max_tokens": 4000})
    st.put_integration(ACTOR, ACCOUNT, "runware", {"enabled": False, "size": "512x512"})
    st.set_account_key(ACTOR, ACCOUNT, "anthropic", "sk-ant-fuzz-0003")
    st.set_account_provider(ACTOR, ACCOUNT, "text", "anthropic")
    st.set_account_operation_model(ACTOR, ACCOUNT, "clustering", "gpt-4.1")
    st.set_account_module(ACTOR, ACCOUNT, "writer", False)
    st.customize_prompt(ACTOR, ACCOUNT, "ideas", "Ideas for {site_name} about {cluster_name}: {{literal}}")
    st.commit_prompt(ACTOR, "clustering", "Cluster {keywords} for {site_name}.", message="unpublished draft")
    copy = st.clone_library_item(ACTOR, "author_profile", ACCOUNT, 1)
    st.update_library_copy(ACTOR, "author_profile", ACCOUNT, copy["id"], {"tone": "Dry and witty"})
    st.clone_library_item(ACTOR, "strategy", ACCOUNT, 8)
    st.set_access_group(ACTOR, "starter", ["gpt-4o-mini", "claude-3-5-haiku-20241022"], description="Cheap models")
    st.put_account_access(ACTOR, ACCOUNT, {"group": "starter", "additions": ["gpt-4o", "gpt-4.1"],
                                           "removals": ["claude-3-5-haiku-20241022"],
                                           "max_cost_per_1k_tokens": 0.02})
    st.put_fallbacks(ACTOR, 0, {"content_generation": ["gpt-4o", "claude-3-5-haiku-20241022"],
                                "image_generation": ["runware:100@1"]})
    st.put_fallbacks(ACTOR, ACCOUNT, {"ideas": ["gpt-4o-mini", "gpt-4.1"], "clustering": []})


def import_seeds(doc):
    write("import", "merge_full.json", "M" + compact(doc))
    write("import", "replace_full.json", "R" + compact(doc))
    head = {"format": doc["format"], "format_version": doc["format_version"]}
    for section, rows in doc.items():
        if section in head:
            continue
        part = dict(head)
        part[section] = rows
        write("import", "merge_" + section + ".json", "M" + compact(part))
        if isinstance(rows, list) and len(rows) > 1:
            part[section] = rows[:1]
            write("import", "merge_" + section + "_one.json", "M" + compact(part))
    # the sections a replace needs to stand on its own, without prompts and libraries
    small = {k: v for k, v in doc.items() if k in ("format", "format_version", "providers", "integrations",
                                                     "models", "global_settings", "operations", "modules")}
    write("import", "replace_platform.json", "R" + compact(small))
    write("import", "merge_empty.json", "M" + compact(head))
    write("import", "newer_format.json", "M" + compact({"format": "igny8settings",
                                                        "format_version": doc["format_version"] + 1}))
    bad = json.loads(compact(doc["models"][:2]))
    bad[1]["input_cost_per_1k"] = -1
    write("import", "bad_model_cost.json", "M" + compact(dict(head, models=bad)))
    dup = dict(head, providers=doc["providers"] + doc["providers"][:1])
    write("import", "duplicate_provider.json", "R" + compact(dup))


def put_seeds(st):
    bodies = [
        st.integration(ACCOUNT, "openai"), st.integration(ACCOUNT, "dalle"),
        {"model": "gpt-4o", "temperature": 0.8, "max_tokens": 8192},
        {"model": None, "temperature": None, "max_tokens": None},
        {"enabled": False},
        {"model": "dall-e-2", "size": "512x512", "quality": "hd", "style": "natural"},
        {"size": None, "quality": None, "style": None},
        {"api_key": "sk-stripped", "model": "gpt-4.1-mini"},
        {"id": "openai", "using_global": True, "temperature": 2},
        {"temperature": 2.5},
        {"max_tokens": 0},
        {"max_tokens": 16385, "model": "gpt-4o"},
        {"model": "claude-3-sonnet"},
        {"size": "64x8192"},
        {"unknown": 1},
    ]
    for i, b in enumerate(bodies):
        write("integration_put", "%02d.json" % i, compact(b))
    write("integration_put", "not_json.txt", '{"model":')
    write("integration_put", "array.json", "[]")


def access_seeds(st):
    """fuzz_access_put's inputs: a mode byte ('g' the group "starter", 'c' the platform's
    chains, 'C' the account's, else the account's access body) and a body."""
    bodies = [
        ("a", st.account_access(ACCOUNT)),
        ("a", {"group": None, "additions": None, "removals": [], "max_cost_per_1k_tokens": None,
               "fallbacks": {"ideas": None}}),
        ("a", {"max_cost_per_image": 0.01, "additions": ["runware:100@1"]}),
        ("a", {"additions": ["gpt-4o", "gpt-4o"]}),
        ("a", {"group": "no such group"}),
        ("a", {"fallbacks": {"ideas": ["gpt-4o"], "image_generation": ["dall-e-2", "runware:101@1"]}}),
        ("g", st.access_group("starter")),
        ("g", {"description": None, "models": ["gpt-4.1-mini", "dall-e-2"]}),
        ("g", {"models": ["gpt-9"]}),
        ("c", st.fallbacks(0)),
        ("c", {"ideas": ["gpt-4o", "gpt-4.1", "gpt-4o"]}),
        ("c", {"ideas": ["gpt-4o", "gpt-4.1", "gpt-4.1-mini", "gpt-4-turbo-preview", "claude-3-sonnet",
                         "claude-3-5-sonnet-20241022", "claude-3-5-haiku-20241022", "gpt-4o-mini", "dall-e-3"]}),
        ("c", {"ideas": [], "content_generation": None, "nope": []}),
        ("C", st.fallbacks(ACCOUNT)),
        ("C", {"image_generation": ["dall-e-3"], "clustering": None}),
    ]
    for i, (mode, b) in enumerate(bodies):
        write("access_put", "%02d.json" % i, mode + compact(b))


def global_seeds(st):
    g = st.global_settings()
    bodies = [
        g,
        {"is_active": False},
        {"default_text_model": "gpt-4o", "default_image_model": "runware:101@1"},
        {"text_provider": "anthropic", "image_provider": "runware"},
        {"text_provider": None},
        {"integrations": {"openai": {"temperature": 0.9, "max_tokens": 1000,
                                     "base_url": "https://proxy.example/v1"}}},
        {"integrations": {"dalle": {"default_model": "dall-e-2", "size": "256x256", "quality": "hd",
                                    "style": "natural", "base_url": None}}},
        {"integrations": {"anthropic": {"api_key": {"configured": True}, "provider": "anthropic",
                                        "key_from": None, "model_type": "text"}}},
        {"integrations": {"nope": {}}},
        {"default_text_model": "dall-e-3"},
        {"updated_at": "x", "updated_by": "y", "secret_token": "z"},
    ]
    for i, b in enumerate(bodies):
        write("global_put", "%02d.json" % i, compact(b))


def template_seeds(doc):
    variables = {
        "site_name": "Tea Corner", "industry": "retail", "audience": "tea lovers", "cluster_name": "green tea",
        "primary_keyword": "best green tea", "idea_count": 5, "existing_titles": "", "keywords": "matcha\nsencha",
        "temperature": 0.7, "big": 1e16, "flag": True, "neg": -0.0, "unicode": "caf\u00e9 \u2615",
    }
    for p in doc["prompts"]:
        for v in p["versions"]:
            name = "%s_v%d" % (p["prompt_type"], v["version"])
            write("template", name, v["value"].encode() + b"\0" + compact(variables).encode())
    cases = {
        "braces": "{{literal}} and }} and {name}\0{\"name\":\"{x}\"}",
        "numbers": "{a} {b} {c} {d} {e} {f}\0{\"a\":1e16,\"b\":0.1,\"c\":-0.0,\"d\":12345678901234567890,"
                   "\"e\":1E-7,\"f\":false}",
        "duplicate_keys": "{a}{a}\0{\"a\":1,\"a\":\"two\"}",
        "missing": "{present} {absent}\0{\"present\":1}",
        "no_variables": "plain text, no placeholders",
        "malformed_attr": "{a.b}", "malformed_index": "{a[0]}", "malformed_conv": "{a!r}",
        "malformed_spec": "{a:>10}", "malformed_digit": "{0}", "malformed_empty": "{}", "lone_open": "x {",
        "lone_close": "x }", "null_value": "{a}\0{\"a\":null}", "object_value": "{a}\0{\"a\":{}}",
        "nul_escape": "{a}\0{\"a\":\"x\\u0000y\"}", "bom": "{a}\0\ufeff{\"a\":\"b\"}",
        "utf8_column": "caf\u00e9\n  \u2615 {\u00e9}",
    }
    for name, text in cases.items():
        write("template", name, text)


def library_seeds(st, doc):
    for i, item in enumerate(doc["library"]):
        write("library", "%02d_%s.json" % (i, item["kind"]), compact({k: v for k, v in item.items() if k != "kind"}))
    write("library", "view_profile.json", compact(st.library_item("author_profile", 1)))
    write("library", "view_strategy.json", compact(st.library_item("strategy", 8)))
    write("library", "copy_view.json", compact(st.library_copies("author_profile", ACCOUNT)[0]))
    write("library", "minimal_profile.json", compact({
        "name": "Fuzz profile", "category": "blog", "tone": "Plain",
        "structure_template": {"sections": [{"heading": "Only"}]}}))
    write("library", "minimal_strategy.json", compact({
        "name": "Fuzz strategy", "category": "news", "prompt_types": ["ideas"],
        "section_logic": {"sections": [{"name": "s", "prompt_type": "ideas"}]}}))
    write("library", "bad_words.json", compact({
        "name": "Fuzz strategy", "category": "news", "prompt_types": ["ideas", "ideas"],
        "section_logic": {"order": "random", "sections": [{"name": "1s", "prompt_type": "x", "min_words": 9,
                                                             "max_words": 3}]}}))


def store_file_seeds(tmp):
    """Small store files the library made: empty and with the baseline's data, as the
    library leaves them (WAL) and compacted to 512-byte pages (rollback journal), and
    the schema-1 fixture."""
    def compacted(path):
        c = sqlite3.connect(path)
        c.execute("PRAGMA journal_mode=DELETE")
        c.execute("PRAGMA page_size=512")
        c.execute("VACUUM")
        c.close()

    def read(path):
        with open(path, "rb") as f:
            return f.read()

    empty = os.path.join(tmp, "empty.db")
    Store(empty).close()
    write("store_open", "empty_wal.db", read(empty))
    compacted(empty)
    write("store_open", "empty_512.db", read(empty))

    full = os.path.join(tmp, "full.db")
    with Store(full) as st:
        st.load_defaults(ACTOR)
        st.put_integration(ACTOR, ACCOUNT, "openai", {"model": "gpt-4o", "temperature": 0.3})
        st.set_account_provider(ACTOR, ACCOUNT, "image", "runware")
        st.set_account_operation_model(ACTOR, ACCOUNT, "content_generation", "gpt-4.1")
    compacted(full)
    write("store_open", "defaults_512.db", read(full))

    v1 = os.path.join(tmp, "v1.db")
    c = sqlite3.connect(v1)
    with open(os.path.join(ROOT, "tests", "fixtures", "store_v1.sql")) as f:
        c.executescript(f.read())
    c.close()
    compacted(v1)
    write("store_open", "schema_v1_512.db", read(v1))
    write("store_open", "not_sqlite.txt", "SQLite format 2\0 but not really a database")


def main():
    with tempfile.TemporaryDirectory() as tmp, Store() as st:
        fill(st)
        doc = st.export(with_keys=True, plaintext_keys=True)  # as fuzz_export: fake keys in plain text
        import_seeds(doc)
        put_seeds(st)
        access_seeds(st)
        global_seeds(st)
        template_seeds(doc)
        library_seeds(st, doc)
        store_file_seeds(tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
