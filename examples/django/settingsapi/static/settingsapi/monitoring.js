/* /admin/igny8/monitoring/: "Test connection" per provider (POST test-connection/) and
 * the resolver debug console (GET admin/resolve/{operation}/). Every value from the
 * server is written with textContent, never as HTML. No framework. */
(function () {
  "use strict";

  var csrfToken = document.querySelector('meta[name="csrf-token"]').content;
  var testUrl = document.currentScript.dataset.testUrl;

  function api(method, url, body) {
    var init = {
      method: method,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken }
    };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (r) {
      return r.json().catch(function () { return null; }).then(function (data) {
        return { status: r.status, ok: r.ok, data: data };
      });
    });
  }

  function errorText(r) {
    var err = r.data && r.data.error;
    if (!err) return "HTTP " + r.status;
    return err.message + (err.field ? " (" + err.field + ")" : "");
  }

  function el(tag, text, className) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (className) e.className = className;
    return e;
  }

  // ---- connection tests ----

  var LABELS = { ok: "ok", failing: "failing", never: "never tested", testing: "testing…" };

  function setIndicator(row, state) {
    var ind = row.querySelector('[data-role="indicator"]');
    ind.dataset.state = state;
    ind.className = "indicator indicator-" + state;
    ind.textContent = LABELS[state];
  }

  function showResult(row, res) {
    var cell = row.querySelector('[data-role="result"]');
    cell.textContent = "";
    cell.appendChild(el("span", "HTTP " + (res.http_status === null || res.http_status === undefined ? "—" : res.http_status), null))
      .dataset.role = "http-status";
    cell.appendChild(document.createTextNode(" · "));
    var latency = typeof res.latency_ms === "number" ? Math.round(res.latency_ms) + " ms" : "—";
    cell.appendChild(el("span", latency)).dataset.role = "latency";
    if (res.error_class) {
      cell.appendChild(document.createTextNode(" · "));
      cell.appendChild(el("span", res.error_class, "error-class")).dataset.role = "error-class";
    }
    if (res.message) cell.appendChild(el("div", res.message, "message")).dataset.role = "message";
    if (res.tested_at) cell.appendChild(el("div", res.tested_at, "muted")).dataset.role = "tested-at";
  }

  function showTestError(row, text) {
    var cell = row.querySelector('[data-role="result"]');
    cell.textContent = "";
    cell.appendChild(el("div", text, "message error")).dataset.role = "message";
  }

  document.querySelectorAll('button[data-role="test"]').forEach(function (button) {
    button.addEventListener("click", function () {
      var row = button.closest("tr");
      var previous = row.querySelector('[data-role="indicator"]').dataset.state;
      button.disabled = true;
      setIndicator(row, "testing");
      api("POST", testUrl, { integration: button.dataset.integration }).then(function (r) {
        if (r.ok) {
          setIndicator(row, r.data.ok ? "ok" : "failing");
          showResult(row, r.data);
        } else {  // no test was made (no key, unknown integration...): the state stands
          setIndicator(row, previous);
          showTestError(row, errorText(r));
        }
      }).catch(function (err) {
        setIndicator(row, previous);
        showTestError(row, "network error: " + err);
      }).finally(function () { button.disabled = false; });
    });
  });

  // ---- debug console ----

  var form = document.getElementById("resolve-form");
  var errorBox = document.getElementById("resolve-error");
  var result = document.getElementById("resolve-result");

  function fact(dl, name, value) {
    dl.appendChild(el("dt", name));
    dl.appendChild(el("dd", value === null || value === undefined ? "—" : value));
  }

  function showResolution(r) {
    var dl = document.getElementById("resolve-summary");
    dl.textContent = "";
    fact(dl, "Model", r.model);
    fact(dl, "Provider", r.provider + " (" + r.integration + ", " + r.model_type + ")");
    fact(dl, "Source", r.source);
    if (r.model_type === "image") {
      fact(dl, "Size / quality / style", [r.size, r.quality, r.style].join(" / "));
    } else {
      fact(dl, "Temperature", r.temperature);
      fact(dl, "Max tokens", r.max_tokens);
    }
    fact(dl, "API key from", r.api_key_source);
    var tbody = document.querySelector("#resolve-levels tbody");
    tbody.textContent = "";
    ((r.trace && r.trace.levels) || []).forEach(function (level) {
      var tr = el("tr", null, "level-" + level.status);
      tr.dataset.level = level.level;
      tr.appendChild(el("td", level.level));
      tr.appendChild(el("td", level.candidate === null ? "—" : level.candidate));
      tr.appendChild(el("td", level.status));
      tr.appendChild(el("td", level.reason || ""));
      tbody.appendChild(tr);
    });
    document.getElementById("resolve-trace").textContent = JSON.stringify(r.trace, null, 2);
    result.hidden = false;
  }

  if (form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      errorBox.textContent = "";
      var params = new URLSearchParams({ account_id: form.elements.namedItem("account_id").value });
      var model = form.elements.namedItem("model").value.trim();
      if (model) params.set("model", model);
      var operation = form.elements.namedItem("operation").value;
      api("GET", form.dataset.url + encodeURIComponent(operation) + "/?" + params).then(function (r) {
        if (r.ok) showResolution(r.data);
        else { result.hidden = true; errorBox.textContent = errorText(r); }
      }).catch(function (err) {
        result.hidden = true;
        errorBox.textContent = "network error: " + err;
      });
    });
  }
})();
