/* /settings/integration/: save (PUT) and reset (POST .../reset/) each integration card
 * through the settings API. Only the fields changed since the last load or save are
 * sent, so everything else keeps following the platform's defaults. No framework. */
(function () {
  "use strict";

  var csrfToken = document.querySelector('meta[name="csrf-token"]').content;

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

  var FIELDS = ["enabled", "model", "temperature", "max_tokens", "size", "quality", "style"];

  /* The card's values as the API takes them (only the fields the card has). */
  function read(form) {
    var values = {};
    FIELDS.forEach(function (name) {
      var el = form.elements.namedItem(name);
      if (!el) return;
      if (name === "enabled") values[name] = el.checked;
      else if (name === "temperature") values[name] = parseFloat(el.value);
      else if (name === "max_tokens") values[name] = el.value === "" ? null : Number(el.value);
      else values[name] = el.value;
    });
    return values;
  }

  /* Show a GET body in the card. */
  function show(form, body) {
    FIELDS.forEach(function (name) {
      var el = form.elements.namedItem(name);
      if (!el || !(name in body)) return;
      if (name === "enabled") el.checked = !!body[name];
      else {
        if (el.tagName === "SELECT" && !Array.prototype.some.call(el.options, function (o) { return o.value === String(body[name]); })) {
          el.add(new Option(String(body[name]), String(body[name])), 0);
        }
        el.value = body[name] === null ? "" : String(body[name]);
      }
    });
    showTemperature(form);
    var badge = form.querySelector('[data-role="badge"]');
    badge.textContent = body.using_global ? "Using platform defaults" : "Custom settings";
    badge.className = "badge " + (body.using_global ? "badge-global" : "badge-custom");
  }

  function showTemperature(form) {
    var el = form.elements.namedItem("temperature");
    var out = form.querySelector('[data-role="temperature-value"]');
    if (el && out) out.textContent = parseFloat(el.value).toFixed(1);
  }

  function clearErrors(form) {
    form.querySelectorAll(".field-error, [data-role=form-error]").forEach(function (p) { p.textContent = ""; });
    form.querySelectorAll(".invalid").forEach(function (el) { el.classList.remove("invalid"); });
  }

  /* An error body {"error":{"code","field","message"}}: next to its field, else above the buttons. */
  function showError(form, result) {
    var err = result.data && result.data.error;
    var message = err ? err.message : "HTTP " + result.status;
    var slot = err && err.field ? form.querySelector('[data-error-for="' + CSS.escape(err.field) + '"]') : null;
    if (slot) {
      slot.textContent = message;
      var input = form.elements.namedItem(err.field);
      if (input) input.classList.add("invalid");
    } else {
      form.querySelector('[data-role="form-error"]').textContent = message;
    }
    setStatus(form, "", "");
  }

  function setStatus(form, text, kind) {
    var status = form.querySelector('[data-role="status"]');
    status.textContent = text;
    status.className = "status" + (kind ? " status-" + kind : "");
  }

  function busy(form, on) {
    form.querySelectorAll("button").forEach(function (b) { b.disabled = on; });
  }

  function setUp(form) {
    var url = form.dataset.url;
    var saved = read(form);  // what the server has: a save sends only what differs

    function done(body, message) {
      show(form, body);
      saved = read(form);
      setStatus(form, message, "ok");
    }

    form.addEventListener("input", function (e) {
      if (e.target.name === "temperature") showTemperature(form);
      setStatus(form, "", "");
    });

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      clearErrors(form);
      var now = read(form), changes = {}, any = false;
      Object.keys(now).forEach(function (name) {
        if (now[name] !== saved[name]) { changes[name] = now[name]; any = true; }
      });
      if (!any) { setStatus(form, "Nothing to save", ""); return; }
      busy(form, true);
      setStatus(form, "Saving…", "");
      api("PUT", url, changes).then(function (r) {
        if (r.ok) done(r.data, "Saved");
        else showError(form, r);
      }).catch(function (err) {
        showError(form, { status: 0, data: { error: { field: null, message: "network error: " + err } } });
      }).finally(function () { busy(form, false); });
    });

    form.querySelector('[data-role="reset"]').addEventListener("click", function () {
      clearErrors(form);
      busy(form, true);
      setStatus(form, "Resetting…", "");
      api("POST", url + "reset/").then(function (r) {
        if (r.ok) done(r.data, "Reset to platform defaults");
        else showError(form, r);
      }).catch(function (err) {
        showError(form, { status: 0, data: { error: { field: null, message: "network error: " + err } } });
      }).finally(function () { busy(form, false); });
    });
  }

  document.querySelectorAll("form.integration").forEach(setUp);
})();
