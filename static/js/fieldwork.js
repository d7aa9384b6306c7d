// Học Số field work, on the ambassador's pages only: the assigned households stay on the
// phone (IndexedDB, and the pages in the service worker's cache), and a visit recorded with
// no connection waits with its own UUID until POST /api/v1/visits takes it. Without this
// file every form still posts normally online.
(function () {
  "use strict";
  if (!window.indexedDB || !window.fetch || !window.HocSo) return;

  var DB = "hocso-field", PAGES = "hocso-field-pages";
  var csrfMeta = document.querySelector("meta[name=csrf-token]");
  var statusNode = document.getElementById("field-status");
  var words = {};
  var wordsNode = document.getElementById("field-text");
  if (wordsNode) words = JSON.parse(wordsNode.textContent);
  var forcedOffline = /[?&]retry=offline/.test(location.search) ||
    document.body.hasAttribute("data-saved-copy");
  function offline() { return forcedOffline || !navigator.onLine; }
  function localToday() {
    var now = new Date(), pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
  }

  var store = window.HocSo.database(DB, { households: "id", visits: "id" });
  function waiting() { return store("visits", "readonly", function (s) { return s.getAll(); }); }
  var uuid4 = window.HocSo.uuid4;

  function say(text, kind) {
    if (!statusNode) return;
    statusNode.hidden = !text;
    statusNode.className = "sync " + (kind || "");
    statusNode.textContent = text || "";
  }
  var sentNow = 0;  // visits this page has just sent: then, and only then, say so
  function showWaiting() {
    return waiting().then(function (visits) {
      var refused = JSON.parse(localStorage.getItem("field-refused") || "[]");
      if (visits.length) say((words.waiting || "").replace("%(count)s", visits.length), "waiting");
      else if (refused.length) {
        say((words.refused || "").replace("%(reason)s", refused[0]), "waiting");
        localStorage.removeItem("field-refused");  // said once, on the next page
      }
      else say(sentNow ? words.sent : "", "saved");
    }).catch(function () {});
  }

  // --- keeping the households on the phone (online only) ---------------------------------
  function keepHouseholds() {
    return fetch("/api/v1/households", { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (households) {
        return store("households", "readwrite", function (s) {
          s.clear();
          households.forEach(function (h) { s.put(h); });
        }).then(function () { return households; });
      });
  }
  function keepPages(urls, onlyMissing) {
    // Pages already kept are fetched again only when asked (at most hourly from home).
    if (!window.caches) return Promise.resolve();
    return caches.open(PAGES).then(function (cache) {
      return Promise.all(urls.map(function (url) {
        return (onlyMissing ? cache.match(url) : Promise.resolve(null)).then(function (found) {
          if (found) return;
          return fetch(url, { credentials: "same-origin" }).then(function (response) {
            if (response.ok) return cache.put(url, response);
          });
        }).catch(function () {});
      }));
    });
  }

  // --- sending the queue -----------------------------------------------------------------
  function freshToken() {
    // A page kept for days holds an expired token: ask the server for the current one.
    return window.HocSo.fetch("/ambassador/").then(function (r) {
      return r.text();
    }).then(function (html) {
      var found = /name="csrf-token" content="([^"]+)"/.exec(html);
      if (!found) throw new Error("no token");
      return found[1];
    });
  }
  function post(batch, token) {
    return window.HocSo.fetch("/api/v1/visits", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify({ visits: batch })
    });
  }
  var send = window.HocSo.sender(waiting, function () {
    var token = csrfMeta ? csrfMeta.content : "";
    return waiting().then(function loop(visits) {
      if (!visits.length) return;
      var batch = visits.slice(0, 100);
      return post(batch, token).then(function (response) {
        if (response.status === 400) {
          return freshToken().then(function (fresh) { token = fresh; return post(batch, fresh); });
        }
        return response;
      }).then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.json();
      }).then(function (answer) {
        var refused = answer.rejected.map(function (r) { return r.error; });
        if (refused.length) localStorage.setItem("field-refused", JSON.stringify(refused));
        sentNow += answer.accepted.length + answer.duplicates.length;
        if (refused.length) sentNow = 0;
        var done = answer.accepted.concat(answer.duplicates,
          answer.rejected.map(function (r) { return r.id; }));
        return store("visits", "readwrite", function (s) {
          done.forEach(function (id) { s.delete(id); });
        });
      }).then(waiting).then(loop);
    });
  }, function () { return forcedOffline; }, showWaiting);
  window.addEventListener("online", function () { forcedOffline = false; send(); });

  // --- the visit form without a connection -----------------------------------------------
  var form = document.querySelector("form.js-visit-form");
  if (form && forcedOffline) {
    // A page kept from another day: the visit is today's.
    var dateInput = form.querySelector("[name=visited_on]");
    dateInput.value = localToday();
    dateInput.setAttribute("max", localToday());
  }
  if (form && !form.hasAttribute("data-visit")) {
    form.addEventListener("submit", function (event) {
      if (!offline()) return;  // online, the form posts and the server checks it
      event.preventDefault();
      var checked = function (name) {
        return Array.prototype.map.call(form.querySelectorAll("input[name=" + name + "]:checked"),
          function (input) { return input.value; });
      };
      var present = checked("present").map(Number);
      var day = form.querySelector("[name=visited_on]").value;
      var note = form.querySelector("[name=note]").value.trim();
      var today = localToday();
      if (!present.length) { say(words.nobody, "waiting"); return; }
      if (!day || day > today) { say(words.badDate, "waiting"); return; }
      var visit = {
        id: uuid4(), household: Number(form.getAttribute("data-household")), date: day,
        present: present, note: note.slice(0, 500),
        practised: checked("practised").map(function (value) {
          var parts = value.split("/");
          return { course: parts[0], lesson: parts[1] };
        }),
        verified: checked("verified").map(function (value) {
          var parts = value.split("/");
          return { person: Number(parts[0]), course: parts[1], skill: parts[2] };
        })
      };
      store("visits", "readwrite", function (s) { s.put(visit); }).then(function () {
        form.reset();
        form.querySelector("[name=visited_on]").value = today;
        return showWaiting();
      });
    });
  }

  // --- what each page keeps --------------------------------------------------------------
  if (!offline()) {
    var kept = Number(localStorage.getItem("field-kept") || 0);
    var stale = Date.now() - kept > 3600000;
    if (document.querySelector("[data-field-home]")) {
      keepHouseholds().then(function (households) {
        var urls = [];
        households.forEach(function (h) {
          urls.push("/ambassador/households/" + h.id, "/ambassador/households/" + h.id + "/visits/new");
        });
        if (stale) localStorage.setItem("field-kept", String(Date.now()));
        return Promise.all([keepPages([location.pathname], false), keepPages(urls, !stale)]);
      }).catch(function () {});
    } else if (form || document.querySelector(".js-household")) {
      keepPages([location.pathname], false);
    }
  }
  showWaiting().then(function () { send(); });

  // --- signing out: send what waits, then forget the households -------------------------
  window.hocsoSignOutTasks = window.hocsoSignOutTasks || [];
  window.hocsoSignOutTasks.push(function () {
    return send().then(function () {
      return new Promise(function (resolve) {
        var request = indexedDB.deleteDatabase(DB);
        request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
      });
    }).then(function () { localStorage.removeItem("field-refused"); });
  });
})();
