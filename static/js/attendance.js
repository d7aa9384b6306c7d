// Học Số attendance, on the page that marks who came to a class or event: the people the
// ambassador may mark stay on the phone (IndexedDB, and the page in the cache), so that
// with no connection the search still finds them and a tap queues the mark with its own
// UUID until POST /api/v1/events/<id>/attendance takes it (a replay is a duplicate there,
// so a mark is counted once). Without this file the search and the taps post normally.
(function () {
  "use strict";
  if (!window.indexedDB || !window.fetch || !window.HocSo) return;

  var DB = "hocso-attendance", PAGES = "hocso-attendance-pages";
  var search = document.querySelector("form.js-attendance-search");
  var csrfMeta = document.querySelector("meta[name=csrf-token]");
  var statusNode = document.getElementById("attendance-status");
  var words = {};
  var wordsNode = document.getElementById("attendance-text");
  if (wordsNode) words = JSON.parse(wordsNode.textContent);
  var forcedOffline = /[?&]retry=offline/.test(location.search) ||
    document.body.hasAttribute("data-saved-copy");
  function offline() { return forcedOffline || !navigator.onLine; }

  var store = window.HocSo.database(DB, { people: "event", marks: "id" });
  function waiting() { return store("marks", "readonly", function (s) { return s.getAll(); }); }
  var uuid4 = window.HocSo.uuid4;
  function say(text, kind) {
    if (!statusNode) return;
    statusNode.hidden = !text;
    statusNode.className = "sync " + (kind || "");
    statusNode.textContent = text || "";
  }
  var sentNow = 0;
  function showWaiting() {
    return waiting().then(function (marks) {
      var refused = JSON.parse(localStorage.getItem("attendance-refused") || "[]");
      if (marks.length) say((words.waiting || "").replace("%(count)s", marks.length), "waiting");
      else if (refused.length) {
        say((words.refused || "").replace("%(reason)s", refused[0]), "waiting");
        localStorage.removeItem("attendance-refused");
      }
      else say(sentNow ? words.sent : "", "saved");
    }).catch(function () {});
  }

  // --- sending the queue (marks of any event, grouped by event) -------------------------
  function freshToken() {
    return window.HocSo.fetch("/events/").then(function (r) {
      return r.text();
    }).then(function (html) {
      var found = /name="csrf-token" content="([^"]+)"/.exec(html);
      if (!found) throw new Error("no token");
      return found[1];
    });
  }
  function post(eventId, batch, token) {
    return window.HocSo.fetch("/api/v1/events/" + eventId + "/attendance", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify({ attendance: batch.map(function (m) {
        return { id: m.id, person: m.person };
      }) })
    });
  }
  var send = window.HocSo.sender(waiting, function () {
    var token = csrfMeta ? csrfMeta.content : "";
    return waiting().then(function loop(marks) {
      if (!marks.length) return;
      var eventId = marks[0].event;
      var batch = marks.filter(function (m) { return m.event === eventId; }).slice(0, 100);
      return post(eventId, batch, token).then(function (response) {
        if (response.status === 400) {
          return freshToken().then(function (fresh) { token = fresh; return post(eventId, batch, fresh); });
        }
        return response;
      }).then(function (response) {
        if (response.status === 404) {  // the event is gone or out of reach: drop its marks
          return { accepted: [], duplicates: [], rejected: batch.map(function (m) {
            return { id: m.id, error: String(response.status) };
          }) };
        }
        if (!response.ok) throw new Error("status " + response.status);
        return response.json();
      }).then(function (answer) {
        var refused = answer.rejected.map(function (r) { return r.error; });
        if (refused.length) localStorage.setItem("attendance-refused", JSON.stringify(refused));
        sentNow += answer.accepted.length + answer.duplicates.length;
        if (refused.length) sentNow = 0;
        var done = answer.accepted.concat(answer.duplicates,
          answer.rejected.map(function (r) { return r.id; }));
        return store("marks", "readwrite", function (s) {
          done.forEach(function (id) { s.delete(id); });
        });
      }).then(waiting).then(loop);
    });
  }, function () { return forcedOffline; }, showWaiting);
  window.addEventListener("online", function () { forcedOffline = false; send(); });

  // --- this event's people, kept for the search without a connection --------------------
  var eventId = search ? Number(search.getAttribute("data-event")) : null;
  function keepPeople() {
    return fetch("/events/" + eventId + "/people", { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (body) {
        return store("people", "readwrite", function (s) { s.put(body); });
      });
  }
  function keepPage() {
    if (!window.caches) return Promise.resolve();
    return caches.open(PAGES).then(function (cache) {
      return fetch(location.pathname, { credentials: "same-origin" }).then(function (response) {
        if (response.ok) return cache.put(location.pathname, response);
      });
    }).catch(function () {});
  }
  function fold(text) {
    return text.replace(/đ/g, "d").replace(/Đ/g, "D").normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "").toLowerCase().split(/\s+/).filter(Boolean);
  }

  function queue(person, row) {
    var mark = { id: uuid4(), event: eventId, person: person.id, name: person.name };
    return store("marks", "readwrite", function (s) { s.put(mark); }).then(function () {
      row.replaceWith(presentRow(person, true));
      return showWaiting();
    });
  }
  function presentRow(person, queued) {
    var span = document.createElement("span");
    span.className = "row " + (queued ? "queued" : "present");
    var strong = document.createElement("strong");
    strong.textContent = person.name;
    var muted = document.createElement("span");
    muted.className = "muted";
    muted.textContent = " " + person.village + (person.birth_year ? " · " + person.birth_year : "") +
      " · " + (words.present || "");
    span.appendChild(strong);
    span.appendChild(muted);
    return span;
  }
  function showFound(typed) {
    var list = document.querySelector(".js-found-people");
    var wanted = fold(typed);
    return Promise.all([
      store("people", "readonly", function (s) { return s.get(eventId); }),
      waiting()
    ]).then(function (both) {
      var kept = both[0], queued = {};
      both[1].forEach(function (m) { if (m.event === eventId) queued[m.person] = true; });
      list.textContent = "";
      if (!kept) return;
      var found = kept.people.filter(function (p) {
        var names = p.key.split(" ");
        return wanted.length && wanted.every(function (w) {
          return names.some(function (n) { return n.indexOf(w) === 0; });
        });
      }).slice(0, 20);
      if (!found.length && wanted.length) {
        var none = document.createElement("li");
        none.className = "muted";
        none.textContent = words.none || "";
        list.appendChild(none);
      }
      found.forEach(function (person) {
        var item = document.createElement("li");
        if (person.present || queued[person.id]) {
          item.appendChild(presentRow(person, !person.present));
        } else {
          var button = document.createElement("button");
          button.type = "button";
          button.className = "row mark-button";
          var strong = document.createElement("strong");
          strong.textContent = person.name;
          var muted = document.createElement("span");
          muted.className = "muted";
          muted.textContent = " " + person.village + (person.birth_year ? " · " + person.birth_year : "");
          button.appendChild(strong);
          button.appendChild(muted);
          button.addEventListener("click", function () { queue(person, button); });
          item.appendChild(button);
        }
        list.appendChild(item);
      });
    }).catch(function () {});
  }

  if (search && eventId) {
    // Without a connection the search runs on the kept list, and a tap queues the mark.
    search.addEventListener("submit", function (event) {
      if (!offline()) return;
      event.preventDefault();
      showFound(search.querySelector("[name=q]").value);
    });
    Array.prototype.forEach.call(document.querySelectorAll("form.js-mark"), function (form) {
      form.addEventListener("submit", function (event) {
        if (!offline()) return;
        event.preventDefault();
        var row = form.querySelector("button");
        var person = { id: Number(form.getAttribute("data-person")),
                       name: form.getAttribute("data-name"), village: "", birth_year: null };
        var mark = { id: form.querySelector("[name=mark]").value || uuid4(), event: eventId,
                     person: person.id, name: person.name };
        store("marks", "readwrite", function (s) { s.put(mark); }).then(function () {
          row.disabled = true;
          row.classList.add("queued");
          return showWaiting();
        });
      });
    });
    if (!offline()) { keepPeople().catch(function () {}); keepPage(); }
  }
  showWaiting().then(function () { send(); });

  window.hocsoSignOutTasks = window.hocsoSignOutTasks || [];
  window.hocsoSignOutTasks.push(function () {
    return send().then(function () {
      return new Promise(function (resolve) {
        var request = indexedDB.deleteDatabase(DB);
        request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
      });
    }).then(function () {
      localStorage.removeItem("attendance-refused");
      if (window.caches) return caches.delete(PAGES);
    });
  });
})();
