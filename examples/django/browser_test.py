"""The example's two pages in a real browser: Debian's chromium, chromium-driver and
python3-selenium (scripts/deps.sh installs them), against `manage.py runserver` on
127.0.0.1 with a fresh store and Django database, and the fake provider
(tests/fake_provider.c) standing in for OpenAI and Anthropic.

- /settings/integration/: log in, change the openai model and temperature, see a field
  error, save, see the badge turn to "Custom settings", check a fresh GET of the API;
  reset another integration to the platform defaults. Then staff gives the account a
  plan (an access group) through the admin API while the page is open: the model the
  stale dropdown still offers is refused next to the model field, and a fresh page's
  openai dropdown offers exactly the plan's openai models.
- /admin/igny8/monitoring/: "Test connection" for openai (a good key: the indicator
  turns ok) and anthropic (a bad key: failing, error class auth); the debug console.

Screenshots of both pages go to $IGNY8_SCREENSHOT_DIR (CTest: build/screenshots/).

Run (CTest runs it as python_browser):
  IGNY8_LIBRARY=build/libigny8settings.so PYTHONPATH=bindings/python \\
  FAKE_PROVIDER=build/tests/fake_provider IGNY8_SCREENSHOT_DIR=build/screenshots \\
      /usr/bin/python3 examples/django/browser_test.py -v
Without FAKE_PROVIDER the monitoring test is skipped.
"""

import json
import os
import secrets
import select
import shutil
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
MANAGE = os.path.join(HERE, "manage.py")
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "python"))
import testbackend  # noqa: E402  (the backend CTest chose: a file here, or a schema on the server)
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
SCREENSHOTS = os.environ.get("IGNY8_SCREENSHOT_DIR") or os.path.join(tempfile.gettempdir(), "igny8-screenshots")
FAKE_PROVIDER = os.environ.get("FAKE_PROVIDER")
WAIT = 20  # seconds for anything the page does

USERNAME, PASSWORD, ACCOUNT = "ops", "browser-" + secrets.token_hex(8), 1
GOOD_KEY = "sk-FAKE-ok-browser-0001"      # the fake provider accepts keys with "FAKE-ok"
BAD_KEY = "sk-ant-FAKE-401-browser-0002"  # and answers 401 to keys with "FAKE-401"
PLAN_MODELS = ["gpt-4o-mini", "gpt-4.1-mini", "claude-3-5-haiku-20241022"]  # the plan the settings test assigns

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select, WebDriverWait
    SELENIUM_ERROR = None
except ImportError as e:  # reported by the test, not at import
    SELENIUM_ERROR = e


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(proc, name):
    """Terminate a child process and reap it (kill it if it does not go)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
    for stream in (proc.stdout, proc.stderr):
        if stream:
            stream.close()


class BrowserTest(unittest.TestCase):
    def setUp(self):
        if SELENIUM_ERROR is not None:
            self.fail(f"python3-selenium is missing ({SELENIUM_ERROR}): run scripts/deps.sh")
        for path in (CHROMIUM, CHROMEDRIVER):
            if not os.access(path, os.X_OK):
                self.fail(f"{path} is missing: run scripts/deps.sh (chromium, chromium-driver)")
        self.tmp = tempfile.mkdtemp(prefix="igny8-browser-")
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        os.makedirs(SCREENSHOTS, exist_ok=True)
        self.place = testbackend.place()
        self.env = dict(os.environ, IGNY8_STORE=self.place["path"], IGNY8_STORE_SCHEMA=self.place.get("schema", ""),
                        DJANGO_DB_PATH=os.path.join(self.tmp, "django.sqlite3"),
                        DJANGO_SECRET_KEY=secrets.token_hex(32), DJANGO_DEBUG="",
                        DJANGO_ALLOWED_HOSTS="127.0.0.1", DJANGO_SUPERUSER_PASSWORD=PASSWORD)
        self.fake_port = self.start_fake_provider() if FAKE_PROVIDER else None
        self.prepare_store()
        self.prepare_django()
        self.base = self.start_server()
        self.driver = self.start_browser()

    # ---- the environment ----

    def start_fake_provider(self):
        # --lifetime: it exits by itself should this process die without stopping it
        proc = subprocess.Popen([FAKE_PROVIDER, "--lifetime", "900"], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
        self.addCleanup(stop, proc, "fake provider")
        ready, _, _ = select.select([proc.stdout], [], [], WAIT)
        line = proc.stdout.readline() if ready else ""
        if not line.startswith("PORT "):
            self.fail(f"the fake provider {FAKE_PROVIDER} did not print its port (got {line!r})")
        # keep reading its output so that it never blocks on a full pipe
        threading.Thread(target=proc.stdout.read, daemon=True).start()
        return int(line.split()[1])

    def prepare_store(self):
        """The platform's settings, as staff would set them: the fake provider as every
        integration's base URL, a good key for openai and a bad one for anthropic."""
        import igny8settings
        with igny8settings.Store(**self.place) as st:
            st.load_defaults("browser-test")
            if self.fake_port:
                fake = f"http://127.0.0.1:{self.fake_port}"
                st.put_global_settings("browser-test", {"integrations": {
                    "openai": {"base_url": fake + "/v1"}, "dalle": {"base_url": fake + "/v1"},
                    "anthropic": {"base_url": fake + "/anthropic/v1"}, "runware": {"base_url": fake + "/runware/v1"}}})
            st.set_global_key("browser-test", "openai", GOOD_KEY)
            st.set_global_key("browser-test", "anthropic", BAD_KEY)

    def manage(self, *args):
        result = subprocess.run([sys.executable, MANAGE, *args], env=self.env, cwd=HERE,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
        self.assertEqual(result.returncode, 0, f"manage.py {' '.join(args)}:\n{result.stdout}")

    def prepare_django(self):
        self.manage("migrate", "--noinput")
        self.manage("createsuperuser", "--noinput", "--username", USERNAME, "--email", "ops@example.com")
        self.manage("igny8_account", USERNAME, str(ACCOUNT))

    def start_server(self):
        port = free_port()
        self.server_log = os.path.join(self.tmp, "runserver.log")
        log = open(self.server_log, "w")
        self.addCleanup(log.close)
        # --insecure: serve the pages' CSS and scripts with DEBUG off
        proc = subprocess.Popen([sys.executable, MANAGE, "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure"],
                                env=self.env, cwd=HERE, stdout=log, stderr=subprocess.STDOUT)
        self.addCleanup(stop, proc, "runserver")
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                self.fail(f"runserver exited with {proc.returncode}:\n{self.server_output()}")
            try:
                with urllib.request.urlopen(base + "/accounts/login/", timeout=5) as r:
                    if r.status == 200:
                        return base
            except (urllib.error.URLError, ConnectionError, socket.timeout):
                pass
            if time.monotonic() > deadline:
                self.fail(f"runserver did not answer on {base}:\n{self.server_output()}")
            time.sleep(0.2)

    def server_output(self):
        with open(self.server_log) as f:
            return f.read()[-4000:]

    def start_browser(self):
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--window-size=1280,900", "--lang=en-US",
                    f"--user-data-dir={os.path.join(self.tmp, 'chromium-profile')}"):
            options.add_argument(arg)
        service = Service(CHROMEDRIVER, log_path=os.path.join(self.tmp, "chromedriver.log"))
        driver = webdriver.Chrome(service=service, options=options)
        self.addCleanup(driver.quit)
        self.addCleanup(self.screenshot_on_failure, driver)  # runs before quit
        driver.set_page_load_timeout(60)
        driver.set_script_timeout(WAIT)
        return driver

    def screenshot_on_failure(self, driver):
        outcome = getattr(self, "_outcome", None)
        errors = getattr(getattr(outcome, "result", None), "errors", []) + \
            getattr(getattr(outcome, "result", None), "failures", [])
        if any(test is self for test, _ in errors):
            self.screenshot(f"failed-{self._testMethodName}")
            print(f"\n--- runserver (last lines) ---\n{self.server_output()}", file=sys.stderr)

    # ---- helpers ----

    def wait(self, condition, message):
        return WebDriverWait(self.driver, WAIT).until(lambda d: condition(), message)

    def screenshot(self, name):
        """A PNG of the whole page: the viewport is made as tall as the page for the shot."""
        width, height = self.driver.execute_script(
            "return [document.documentElement.clientWidth, document.documentElement.scrollHeight]")
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": min(height, 8000), "deviceScaleFactor": 1, "mobile": False})
        try:
            path = os.path.join(SCREENSHOTS, f"{name}.png")
            self.assertTrue(self.driver.save_screenshot(path), path)
        finally:
            self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        print(f"screenshot: {path}", file=sys.stderr)
        return path

    def log_in(self, path):
        """Open a page: the login page comes first; after it, the page."""
        self.driver.get(self.base + path)
        self.assertIn("/accounts/login/?next=", self.driver.current_url)
        self.driver.find_element(By.ID, "id_username").send_keys(USERNAME)
        self.driver.find_element(By.ID, "id_password").send_keys(PASSWORD)
        self.driver.find_element(By.ID, "login-submit").click()
        self.wait(lambda: self.driver.current_url == self.base + path, f"not back on {path} after login")

    def fetch_json(self, path):
        """A GET through the browser's own session."""
        text = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "fetch(arguments[0], {credentials: 'same-origin', headers: {Accept: 'application/json'}})"
            ".then(r => r.text()).then(done, e => done('ERROR ' + e));", path)
        return json.loads(text)

    def assertNoKeys(self):
        source = self.driver.page_source
        self.assertNotIn("FAKE", source, "a page shows an API key")

    # ---- the settings page ----

    def card(self, integration):
        return self.driver.find_element(By.ID, f"integration-{integration}")

    def part(self, card, role):
        return card.find_element(By.CSS_SELECTOR, f'[data-role="{role}"]')

    def test_settings_page(self):
        self.log_in("/settings/integration/")
        openai = self.card("openai")
        self.assertEqual(self.part(openai, "badge").text, "Using platform defaults")
        self.assertNoKeys()

        model = Select(openai.find_element(By.NAME, "model"))
        self.assertEqual(model.first_selected_option.get_attribute("value"), "gpt-4o-mini")
        model.select_by_value("gpt-4o")
        slider = openai.find_element(By.NAME, "temperature")
        for _ in range(3):  # 0.7 -> 1.0
            slider.send_keys(Keys.ARROW_RIGHT)
        self.assertEqual(self.part(openai, "temperature-value").text, "1.0")

        # an error from the API shows next to its field, and nothing is saved
        max_tokens = openai.find_element(By.NAME, "max_tokens")
        max_tokens.clear()
        max_tokens.send_keys("9999999")
        self.part(openai, "save").click()
        error = openai.find_element(By.CSS_SELECTOR, '[data-error-for="max_tokens"]')
        self.wait(lambda: error.text != "", "no error next to max_tokens")
        self.assertIn("max_tokens", error.text)
        self.assertIn("invalid", max_tokens.get_attribute("class"))
        self.screenshot("settings-integration-field-error")
        self.assertEqual(self.part(openai, "badge").text, "Using platform defaults")
        self.assertTrue(self.fetch_json("/api/v1/system/settings/integrations/openai/")["using_global"])

        max_tokens.clear()
        max_tokens.send_keys("4096")
        self.part(openai, "save").click()
        self.wait(lambda: self.part(openai, "status").text == "Saved", "the save did not finish")
        self.assertEqual(self.part(openai, "badge").text, "Custom settings")
        self.assertEqual(error.text, "")

        body = self.fetch_json("/api/v1/system/settings/integrations/openai/")
        self.assertEqual(body, {"id": "openai", "enabled": True, "model": "gpt-4o", "temperature": 1.0,
                                "max_tokens": 4096, "using_global": False})

        # reset another integration: custom, then the platform's again
        anthropic = self.card("anthropic")
        Select(anthropic.find_element(By.NAME, "model")).select_by_value("claude-3-5-haiku-20241022")
        self.part(anthropic, "save").click()
        self.wait(lambda: self.part(anthropic, "badge").text == "Custom settings", "anthropic was not saved")
        self.part(anthropic, "reset").click()
        self.wait(lambda: self.part(anthropic, "badge").text == "Using platform defaults", "the reset did not finish")
        self.assertEqual(Select(anthropic.find_element(By.NAME, "model")).first_selected_option.get_attribute("value"),
                         "claude-3-5-sonnet-20241022")
        self.assertTrue(self.fetch_json("/api/v1/system/settings/integrations/anthropic/")["using_global"])

        # a fresh page shows what the store holds
        self.driver.get(self.base + "/settings/integration/")
        openai = self.card("openai")
        self.assertEqual(self.part(openai, "badge").text, "Custom settings")
        self.assertEqual(Select(openai.find_element(By.NAME, "model")).first_selected_option.get_attribute("value"),
                         "gpt-4o")
        self.assertEqual(self.part(openai, "temperature-value").text, "1.0")
        self.assertEqual(self.part(self.card("anthropic"), "badge").text, "Using platform defaults")
        self.assertNoKeys()
        self.screenshot("settings-integration")

        self.check_the_plan_limits_the_models()

    def send_json(self, method, path, body):
        """A write through the browser's own session and the page's CSRF token: (status, body)."""
        text = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "const token = document.querySelector('meta[name=\"csrf-token\"]').content;"
            "fetch(arguments[1], {method: arguments[0], credentials: 'same-origin', body: JSON.stringify(arguments[2]),"
            " headers: {Accept: 'application/json', 'Content-Type': 'application/json', 'X-CSRFToken': token}})"
            ".then(r => r.text().then(t => done(JSON.stringify([r.status, t]))), e => done('ERROR ' + e));",
            method, path, body)
        status, content = json.loads(text)
        return status, json.loads(content) if content else None

    def model_options(self, card):
        return [o.get_attribute("value") for o in Select(card.find_element(By.NAME, "model")).options]

    def check_the_plan_limits_the_models(self):
        """The account is given a plan while its page is open: the stale dropdown's model is
        refused next to the field; a fresh page offers the plan's models only."""
        openai = self.card("openai")
        self.assertIn("gpt-4o", self.model_options(openai))
        self.part(openai, "reset").click()  # back to the platform's gpt-4o-mini, which the plan has
        self.wait(lambda: self.part(openai, "badge").text == "Using platform defaults", "the reset did not finish")
        # staff (ops) makes the plan and assigns it to account 1, through the admin API
        status, group = self.send_json("PUT", "/api/v1/admin/access-groups/starter/", {
            "description": "Cheap models", "models": PLAN_MODELS})
        self.assertEqual((status, group["models"]), (200, sorted(PLAN_MODELS)))
        status, access = self.send_json("PUT", f"/api/v1/admin/accounts/{ACCOUNT}/access/", {"group": "starter"})
        self.assertEqual((status, access["group"]), (200, "starter"))

        # the page still offers gpt-4o: saving it is refused, the error next to the model field
        model = Select(openai.find_element(By.NAME, "model"))
        model.select_by_value("gpt-4o")
        self.part(openai, "save").click()
        error = openai.find_element(By.CSS_SELECTOR, '[data-error-for="model"]')
        self.wait(lambda: error.text != "", "no error next to the model")
        self.assertIn("gpt-4o", error.text)
        self.assertIn("invalid", openai.find_element(By.NAME, "model").get_attribute("class"))
        self.screenshot("settings-integration-plan-refused")
        self.assertEqual(self.fetch_json("/api/v1/system/settings/integrations/openai/")["model"], "gpt-4o-mini")

        # a fresh page: exactly the plan's openai models; a default outside the plan says so
        self.driver.get(self.base + "/settings/integration/")
        plan_openai = [m["model_name"] for m in self.fetch_json("/api/v1/system/models/?provider=openai")]
        self.assertEqual(sorted(plan_openai), sorted(m for m in PLAN_MODELS if m.startswith("gpt-")))
        self.assertEqual(self.model_options(self.card("openai")), plan_openai)
        anthropic = Select(self.card("anthropic").find_element(By.NAME, "model"))
        self.assertEqual([o.get_attribute("value") for o in anthropic.options],
                         ["claude-3-5-sonnet-20241022", "claude-3-5-haiku-20241022"])
        self.assertTrue(anthropic.first_selected_option.text.endswith("(not in your plan)"),
                        anthropic.first_selected_option.text)
        self.assertNoKeys()
        self.screenshot("settings-integration-plan")

    # ---- the monitoring page ----

    def provider(self, integration):
        return self.driver.find_element(By.ID, f"provider-{integration}")

    def run_connection_test(self, integration):
        row = self.provider(integration)
        row.find_element(By.CSS_SELECTOR, 'button[data-role="test"]').click()
        indicator = self.part(row, "indicator")
        self.wait(lambda: indicator.get_attribute("data-state") in ("ok", "failing"),
                  f"the {integration} test did not finish")
        return row, indicator.get_attribute("data-state")

    @unittest.skipUnless(FAKE_PROVIDER, "FAKE_PROVIDER is not set (the path of tests/fake_provider, built with "
                                        "the health functions): no provider to test connections against")
    def test_monitoring_page(self):
        self.log_in("/admin/igny8/monitoring/")
        self.assertEqual(self.part(self.provider("openai"), "indicator").get_attribute("data-state"), "never")

        row, state = self.run_connection_test("openai")
        self.assertEqual(state, "ok", row.text)
        self.assertEqual(self.part(row, "http-status").text, "HTTP 200")
        self.assertRegex(self.part(row, "latency").text, r"^\d+ ms$")

        row, state = self.run_connection_test("anthropic")
        self.assertEqual(state, "failing", row.text)
        self.assertEqual(self.part(row, "error-class").text, "auth")
        self.assertEqual(self.part(row, "http-status").text, "HTTP 401")
        self.assertNoKeys()

        # a fresh page shows the last tests; the audit entries list them
        self.driver.get(self.base + "/admin/igny8/monitoring/")
        self.assertEqual(self.part(self.provider("openai"), "indicator").get_attribute("data-state"), "ok")
        self.assertEqual(self.part(self.provider("anthropic"), "indicator").get_attribute("data-state"), "failing")
        self.assertIn("connection", self.driver.find_element(By.ID, "audit").text)

        # the debug console: which model does account 1 get for content_generation?
        form = self.driver.find_element(By.ID, "resolve-form")
        Select(form.find_element(By.NAME, "operation")).select_by_value("content_generation")
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        result = self.driver.find_element(By.ID, "resolve-result")
        self.wait(result.is_displayed, "the debug console showed no result")
        summary = self.driver.find_element(By.ID, "resolve-summary").text
        self.assertIn("gpt-4o-mini", summary)
        self.assertIn("global_default", summary)
        levels = self.driver.find_elements(By.CSS_SELECTOR, "#resolve-levels tbody tr")
        self.assertEqual([r.get_attribute("data-level") for r in levels],
                         ["request", "account_operation", "account_integration", "global_default", "system_default"])
        self.assertNoKeys()
        self.screenshot("monitoring")


if __name__ == "__main__":
    unittest.main()
