"""The Django example under gunicorn with 4 worker processes (issue 9, item 4): concurrent
HTTP PUTs and GETs for a few seconds, and proof that every worker sees every change.

Debian's gunicorn (scripts/deps.sh installs it) serves examples/django on 127.0.0.1 with
a fresh store and Django database; each worker opens its own store on its first request
(settingsapi/store.py). The client is the standard library only: urllib, with the
session and CSRF cookies of one login (examples/django/README.md, "Sessions and CSRF").

- Writers: one thread per integration field (openai/anthropic temperature and
  max_tokens, dalle/runware size) PUTs ever larger values of its own field, checks each
  reply, and then GETs the integration three times on fresh connections: each GET must
  show the value just written, whichever worker serves it. Several fields share a row,
  so a worker that rebuilt the row from a stale read would undo another thread's field.
- Readers: threads GET the whole list and check that no field ever goes backwards.
- Then, for each field, one last PUT followed by batches of concurrent GETs until each of
  the 4 workers has answered with the new value; and finally N GETs that must all show
  the final state, served by all 4 workers; the store itself is checked through the
  bindings, with one audit entry per acknowledged PUT.

Which worker served a request comes from gunicorn's access log: --access-logformat with
the worker's pid (%(p)s) and the query string, where every GET carries a unique
?probe=... (the views ignore the query string). The app itself exposes no pid.

Run (CTest runs it as python_gunicorn, in the plain build):
  IGNY8_LIBRARY=build/libigny8settings.so PYTHONPATH=bindings/python \\
      /usr/bin/python3 tests/stress/gunicorn_test.py -v
IGNY8_GUNICORN_SECONDS sets the length of the concurrent phase (default 4).
"""

import http.cookiejar
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DJANGO_DIR = os.path.join(ROOT, "examples", "django")
MANAGE = os.path.join(DJANGO_DIR, "manage.py")
sys.path.insert(0, os.path.join(ROOT, "tests", "python"))
import testbackend  # noqa: E402  (the backend CTest chose: a file here, or a schema on the server)
WORKERS = 4
SECONDS = float(os.environ.get("IGNY8_GUNICORN_SECONDS", "4"))
READERS = 2
FINAL_GETS = 24
USERNAME, PASSWORD, ACCOUNT = "ops", "gunicorn-" + secrets.token_hex(8), 1
API = "/api/v1/system/settings/integrations/"

# (integration, field): one writer thread each; values only grow with the counter n.
FIELDS = [("openai", "temperature"), ("openai", "max_tokens"), ("anthropic", "temperature"),
          ("anthropic", "max_tokens"), ("dalle", "size"), ("runware", "size")]


def value(field, n):
    if field == "temperature":
        return n / 4096  # exact in binary: JSON round trips give the same float
    if field == "max_tokens":
        return 1 + n
    return f"{64 + n % 8000}x{64 + n // 8000}"


def counter(field, v):
    """A field's value back to its counter n."""
    if field == "temperature":
        return round(v * 4096)
    if field == "max_tokens":
        return v - 1
    w, h = (int(x) for x in v.split("x"))
    return (w - 64) + 8000 * (h - 64)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gunicorn_command():
    for candidate in ("/usr/bin/gunicorn", shutil.which("gunicorn")):
        if candidate and os.access(candidate, os.X_OK):
            return [candidate]
    return None


class GunicornTest(unittest.TestCase):
    def setUp(self):
        self.gunicorn = gunicorn_command()
        if self.gunicorn is None:
            self.fail("gunicorn is missing: run scripts/deps.sh (Debian's gunicorn)")
        self.tmp = tempfile.mkdtemp(prefix="igny8-gunicorn-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.place = testbackend.place()
        self.env = dict(os.environ, IGNY8_STORE=self.place["path"], IGNY8_STORE_SCHEMA=self.place.get("schema", ""),
                        DJANGO_DB_PATH=os.path.join(self.tmp, "django.sqlite3"),
                        DJANGO_SECRET_KEY=secrets.token_hex(32), DJANGO_DEBUG="",
                        DJANGO_ALLOWED_HOSTS="127.0.0.1", DJANGO_SUPERUSER_PASSWORD=PASSWORD)
        self.access_log = os.path.join(self.tmp, "access.log")
        self.error_log = os.path.join(self.tmp, "error.log")
        # no proxy from the environment may stand between the client and 127.0.0.1
        self.http = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        self.prepare_store()
        self.prepare_django()
        self.base = self.start_gunicorn()
        self.log_in()

    # ---- the environment ----

    def prepare_store(self):
        """The defaults, and every field at counter 0 so that it only grows from there."""
        import igny8settings
        with igny8settings.Store(**self.place) as st:
            st.load_defaults("gunicorn-test")
            for integration, field in FIELDS:
                st.put_integration("gunicorn-test", ACCOUNT, integration, {field: value(field, 0)})

    def manage(self, *args):
        result = subprocess.run([sys.executable, MANAGE, *args], env=self.env, cwd=DJANGO_DIR,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
        self.assertEqual(result.returncode, 0, f"manage.py {' '.join(args)}:\n{result.stdout}")

    def prepare_django(self):
        self.manage("migrate", "--noinput")
        self.manage("createsuperuser", "--noinput", "--username", USERNAME, "--email", "ops@example.com")
        self.manage("igny8_account", USERNAME, str(ACCOUNT))

    def start_gunicorn(self):
        port = free_port()
        out = open(os.path.join(self.tmp, "gunicorn.out"), "w")
        self.addCleanup(out.close)
        proc = subprocess.Popen(
            self.gunicorn + ["--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}", "--chdir", DJANGO_DIR,
                             "--access-logfile", self.access_log,
                             "--access-logformat", "%(p)s %(m)s %(U)s %(q)s %(s)s",
                             "--error-logfile", self.error_log, "--timeout", "120", "--graceful-timeout", "10",
                             "igny8site.wsgi:application"],
            env=self.env, cwd=DJANGO_DIR, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        self.addCleanup(self.stop_gunicorn, proc)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                self.fail(f"gunicorn exited with {proc.returncode}:\n{self.logs()}")
            booted = len(re.findall(r"Booting worker with pid", self.read(self.error_log)))
            if booted >= WORKERS:
                try:
                    with self.http.open(base + "/api/v1/auth/csrf/", timeout=5) as r:
                        if r.status == 200:
                            return base
                except (urllib.error.URLError, ConnectionError, socket.timeout):
                    pass
            if time.monotonic() > deadline:
                self.fail(f"gunicorn did not answer on {base} with {WORKERS} workers:\n{self.logs()}")
            time.sleep(0.2)

    def stop_gunicorn(self, proc):
        """SIGTERM to the master (it stops its workers); the group's SIGKILL only if it hangs."""
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)

    @staticmethod
    def read(path):
        try:
            with open(path) as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def logs(self):
        return (f"--- error log ---\n{self.read(self.error_log)[-4000:]}\n"
                f"--- output ---\n{self.read(os.path.join(self.tmp, 'gunicorn.out'))[-2000:]}")

    # ---- HTTP ----

    def log_in(self):
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(jar))
        opener.open(self.base + "/api/v1/auth/csrf/", timeout=30).close()
        token = self.cookie(jar, "csrftoken")
        login = urllib.request.Request(self.base + "/api/v1/auth/login/", method="POST",
                                       data=json.dumps({"username": USERNAME, "password": PASSWORD}).encode(),
                                       headers={"X-CSRFToken": token, "Content-Type": "application/json"})
        with opener.open(login, timeout=30) as r:
            me = json.load(r)
        self.assertEqual(me["account_id"], ACCOUNT)
        # login rotates the token; from here on every request carries the session's cookies
        self.csrf = self.cookie(jar, "csrftoken")
        self.cookies = f"sessionid={self.cookie(jar, 'sessionid')}; csrftoken={self.csrf}"

    def cookie(self, jar, name):
        for c in jar:
            if c.name == name:
                return c.value
        self.fail(f"no {name} cookie")

    def request(self, method, path, body=None, probe=None):
        """One request on a new connection; (status, parsed JSON body)."""
        url = self.base + path + (f"?probe={probe}" if probe else "")
        headers = {"Cookie": self.cookies, "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers.update({"Content-Type": "application/json", "X-CSRFToken": self.csrf})
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with self.http.open(req, timeout=60) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode(errors="replace")

    def served_by(self, probes, timeout=10):
        """The worker pid that served each probe, from the access log (a line is written
        just after its response, so wait for late ones)."""
        deadline = time.monotonic() + timeout
        while True:
            found = {}
            for line in self.read(self.access_log).splitlines():
                m = re.match(r"<(\d+)> \S+ \S+ probe=(\S+) ", line)
                if m:
                    found[m.group(2)] = int(m.group(1))
            if all(p in found for p in probes) or time.monotonic() > deadline:
                return {p: found.get(p) for p in probes}
            time.sleep(0.05)

    # ---- the test ----

    def test_every_worker_sees_every_change(self):
        errors, lock = [], threading.Lock()
        last = {f: 0 for f in FIELDS}            # the last acknowledged counter per field
        put_probes = []                          # (probe, put probe, field, n): GETs right after a PUT
        stats = {"puts": 0, "gets": 0}
        stop = time.monotonic() + SECONDS

        def error(msg):
            with lock:
                errors.append(msg)

        def writer(integration, field):
            n = 0
            while time.monotonic() < stop and not errors:
                n += 1
                put = "put-" + secrets.token_hex(8)
                status, body = self.request("PUT", API + f"{integration}/", {field: value(field, n)}, probe=put)
                if status != 200 or body.get(field) != value(field, n):
                    error(f"PUT {integration}.{field}={value(field, n)}: {status} {body}")
                    return
                with lock:
                    last[(integration, field)] = n
                    stats["puts"] += 1
                for _ in range(3):
                    probe = secrets.token_hex(8)
                    status, body = self.request("GET", API + f"{integration}/", probe=probe)
                    with lock:
                        stats["gets"] += 1
                        put_probes.append((probe, put))
                    if status != 200 or body.get(field) != value(field, n):
                        error(f"GET {integration} (probe {probe}) after the PUT of {field}={value(field, n)}: "
                              f"{status} {body}")
                        return

        def reader():
            seen = {f: 0 for f in FIELDS}
            while time.monotonic() < stop and not errors:
                status, body = self.request("GET", API, probe=secrets.token_hex(8))
                with lock:
                    stats["gets"] += 1
                if status != 200:
                    error(f"GET the list: {status} {body}")
                    return
                rows = {row["id"]: row for row in body}
                for integration, field in FIELDS:
                    n = counter(field, rows[integration][field])
                    if n < seen[(integration, field)]:
                        error(f"{integration}.{field} went back from {seen[(integration, field)]} to {n}: a stale read")
                        return
                    seen[(integration, field)] = n

        threads = [threading.Thread(target=writer, args=f) for f in FIELDS]
        threads += [threading.Thread(target=reader) for _ in range(READERS)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        self.assertEqual(errors, [], f"\n{self.logs()}")

        # Who served the GETs that followed PUTs: each worker saw changes made through others.
        pids_of = self.served_by([p for pair in put_probes for p in pair])
        workers = set(pids_of[p] for p, _ in put_probes) - {None}
        self.assertEqual(len(workers), WORKERS, f"the GETs after PUTs were served by {sorted(workers)}")
        crossed = {pid: 0 for pid in workers}
        for p, put in put_probes:
            if pids_of[p] is not None and pids_of[put] is not None and pids_of[p] != pids_of[put]:
                crossed[pids_of[p]] += 1
        self.assertTrue(all(crossed.values()), f"GETs after another worker's PUT, per worker: {crossed}")
        print(f"\nconcurrent phase: {stats['puts']} PUTs and {stats['gets']} GETs in {elapsed:.1f} s from "
              f"{len(threads)} threads; GETs right after a PUT, per worker (of them after a PUT that another "
              f"worker served): "
              + ", ".join(f"{pid}: {sum(1 for p, _ in put_probes if pids_of[p] == pid)} ({crossed[pid]})"
                          for pid in sorted(workers)), file=sys.stderr)

        # Every worker sees every change: one more change per field, then concurrent GETs
        # until each of the workers has answered with it.
        needed = []
        for integration, field in FIELDS:
            n = last[(integration, field)] + 1
            status, body = self.request("PUT", API + f"{integration}/", {field: value(field, n)})
            self.assertEqual((status, body.get(field) if status == 200 else body), (200, value(field, n)))
            last[(integration, field)] = n
            stats["puts"] += 1
            seen_by, gets = set(), 0
            for _ in range(25):
                probes = [secrets.token_hex(8) for _ in range(2 * WORKERS)]
                gets += len(probes)
                results = {}

                def get(p):
                    results[p] = self.request("GET", API + f"{integration}/", probe=p)

                batch = [threading.Thread(target=get, args=(p,)) for p in probes]
                for t in batch:
                    t.start()
                for t in batch:
                    t.join()
                pids = self.served_by(probes)
                for p in probes:
                    status, body = results[p]
                    self.assertEqual(status, 200, body)
                    self.assertEqual(body[field], value(field, n),
                                     f"worker {pids[p]} served {integration}.{field}={body[field]} after the PUT of "
                                     f"{value(field, n)}")
                    seen_by.add(pids[p])
                if workers <= seen_by:
                    break
            self.assertTrue(workers <= seen_by, f"{integration}.{field}: only workers {sorted(seen_by - {None})} "
                                                f"answered, of {sorted(workers)}")
            needed.append(gets)

        print(f"one more PUT per field, each then seen by all {WORKERS} workers within "
              f"{', '.join(map(str, needed))} concurrent GETs", file=sys.stderr)

        # The final state: N GETs, all of it, from all workers.
        expected = {f: value(f[1], n) for f, n in last.items()}
        results = {}

        def final_get(p):
            results[p] = self.request("GET", API, probe=p)

        probes = [f"final-{i}" for i in range(FINAL_GETS)]
        batch = [threading.Thread(target=final_get, args=(p,)) for p in probes]
        for t in batch:
            t.start()
        for t in batch:
            t.join()
        pids = self.served_by(probes)
        for p in probes:
            status, body = results[p]
            self.assertEqual(status, 200, body)
            rows = {row["id"]: row for row in body}
            got = {(i, f): rows[i][f] for i, f in FIELDS}
            self.assertEqual(got, expected, f"worker {pids[p]} served another state")
        final_workers = set(pids.values()) - {None}
        access = self.read(self.access_log)
        all_pids = set(re.findall(r"^<(\d+)>", access, re.M))
        print(f"final state: {FINAL_GETS} GETs of the list, all equal, served by workers {sorted(final_workers)}; "
              f"access log: {len(access.splitlines())} requests served by {len(all_pids)} worker pids",
              file=sys.stderr)
        self.assertGreaterEqual(len(final_workers), 2, f"the final GETs were all served by {final_workers}")

        # The store itself: the final values, and one audit entry per acknowledged PUT.
        import igny8settings
        with igny8settings.Store(**self.place, readonly=True) as st:
            for (integration, field), v in expected.items():
                self.assertEqual(st.integration(ACCOUNT, integration)[field], v)
            entries = st.audit(entity="account_integration", actor=USERNAME, limit=10000)
            self.assertEqual(len(entries), stats["puts"], "audit entries of the HTTP PUTs")
        self.assertNotIn("Traceback", self.read(self.error_log), self.logs())


if __name__ == "__main__":
    unittest.main()
