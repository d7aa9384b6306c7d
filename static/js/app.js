// Progressive enhancement only: every lesson works without this file.

// What every offline queue on the phone shares (this page's queue below, and the
// ambassadors' field-work and attendance scripts, which load after this file): an
// IndexedDB store opened per transaction, the UUID each queued item is sent with, and the
// sending: one send at a time, a time limit per request, and retries.
window.HocSo = (function () {
  "use strict";
  function database(name, stores) {
    function open() {
      return new Promise(function (resolve, reject) {
        var request = indexedDB.open(name, 1);
        request.onupgradeneeded = function () {
          Object.keys(stores).forEach(function (store) {
            request.result.createObjectStore(store, { keyPath: stores[store] });
          });
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    }
    // work(objectStore) may return a request: its result is what the promise gives.
    return function store(storeName, mode, work) {
      return open().then(function (db) {
        return new Promise(function (resolve, reject) {
          var tx = db.transaction(storeName, mode);
          var request = work(tx.objectStore(storeName));
          tx.oncomplete = function () { db.close(); resolve(request && request.result); };
          tx.onerror = function () { db.close(); reject(tx.error); };
        });
      });
    };
  }
  function uuid4() {
    if (window.crypto.randomUUID) return window.crypto.randomUUID();
    var b = window.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  // A send that failed (the connection is back but carries nothing yet, the server is
  // restarting) is tried again: after 2 s, then twice as long each time, up to 5 minutes.
  function retrying(send) {
    var wait = 2000, timer = null;
    return {
      failed: function () {
        clearTimeout(timer);
        timer = setTimeout(send, wait);
        wait = Math.min(wait * 2, 300000);
      },
      succeeded: function () { wait = 2000; }
    };
  }
  // A request for the queue that gets no answer in 30 s is given up (and so retried): on a
  // dropping 3G link, or as the connection comes back, one can hang with no error at all.
  function patiently(url, options) {
    if (!window.AbortController) return fetch(url, options);
    var abort = new AbortController();
    var timer = setTimeout(function () { abort.abort(); }, 30000);
    options = Object.assign({ credentials: "same-origin" }, options, { signal: abort.signal });
    return fetch(url, options).then(function (response) { clearTimeout(timer); return response; },
      function (error) { clearTimeout(timer); throw error; });
  }
  // A queue's send: one at a time; nothing is tried while the phone is offline, nor from a
  // page kept from before (keptCopy) until the connection comes back or a retry finds the
  // phone online with something waiting (the "online" event is not always fired); a send
  // that fails is tried again later. `after` runs after every send, retries included.
  function sender(waiting, sendAll, keptCopy, after) {
    var sending = false, retry = retrying(function () { send(true); });
    function send(evenFromKeptCopy) {
      if (sending) return Promise.resolve();
      if (!navigator.onLine || (keptCopy() && evenFromKeptCopy !== true)) {
        return waiting().then(function (items) { if (items.length) retry.failed(); })
          .catch(function () {});
      }
      sending = true;
      return sendAll().then(retry.succeeded, retry.failed)
        .then(function () { sending = false; return after(); });
    }
    return send;
  }
  return { database: database, uuid4: uuid4, fetch: patiently, sender: sender };
})();
(function () {
  "use strict";

  // Listen: the phone's own speech synthesis, where it speaks the lesson's language.
  var synth = window.speechSynthesis;
  var buttons = document.querySelectorAll("button.listen");
  function voiceFor(tags) {
    if (!synth) return null;
    var voices = synth.getVoices();
    for (var t = 0; t < tags.length; t++) {
      var tag = tags[t].toLowerCase();
      for (var v = 0; v < voices.length; v++) {
        var lang = (voices[v].lang || "").toLowerCase().replace("_", "-");
        if (lang === tag || lang.indexOf(tag + "-") === 0) return voices[v];
      }
    }
    return null;
  }
  function enableListen() {
    buttons.forEach(function (button) {
      var tags = (button.getAttribute("data-voices") || "").split(" ").filter(Boolean);
      var voice = voiceFor(tags);
      if (!voice) return;
      button.hidden = false;
      button.onclick = function () {
        synth.cancel();
        var utterance = new SpeechSynthesisUtterance(button.getAttribute("data-speak"));
        utterance.voice = voice;
        utterance.lang = voice.lang;
        utterance.rate = 0.9;
        synth.speak(utterance);
      };
    });
  }
  if (synth && buttons.length) {
    enableListen();
    if (synth.addEventListener) synth.addEventListener("voiceschanged", enableListen);
  }

  // The header's menus hang from the same edge: opening one closes the other.
  var menus = document.querySelectorAll("details.menu");
  menus.forEach(function (menu) {
    menu.addEventListener("toggle", function () {
      if (menu.open) menus.forEach(function (other) { if (other !== menu) other.open = false; });
    });
  });

  // Share: the phone's share sheet (Zalo and the rest) where the browser has one, else
  // copying the link to paste into Zalo, else nothing at all.
  document.querySelectorAll(".js-share").forEach(function (share) {
    var url = share.getAttribute("data-url");
    var native = share.querySelector(".js-share-native"), copy = share.querySelector(".js-share-copy");
    var state = share.querySelector(".js-share-state");
    if (navigator.share) {
      native.hidden = false;
      native.addEventListener("click", function () {
        navigator.share({ title: share.getAttribute("data-title"), url: url }).catch(function () {});
      });
    } else if (navigator.clipboard && window.isSecureContext) {
      copy.hidden = false;
      copy.addEventListener("click", function () {
        navigator.clipboard.writeText(url).then(function () {
          state.textContent = share.getAttribute("data-copied");
        }).catch(function () {});
      });
    } else {
      return;
    }
    share.hidden = false;
  });
})();

// ---------------------------------------------------------------------------------------
// Offline: a service worker keeps saved courses; progress made without a connection waits
// in IndexedDB, each event with its own UUID, and is sent when the connection returns.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator) || !window.indexedDB) return;
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
  if (navigator.onLine && window.caches) {
    // Keep the "no connection" page, in this page's language, for the service worker.
    caches.open("hocso-shell").then(function (cache) {
      return cache.add("/offline?lang=" + document.documentElement.lang);
    }).catch(function () {});
  }

  // Who is learning: a page fresh from the server says so; a saved page may have been saved
  // for another member of the household, so offline the last fresh answer counts.
  var forcedOffline = /[?&]retry=offline/.test(location.search) ||
    document.body.hasAttribute("data-saved-copy");
  var person = document.body.getAttribute("data-person");
  // The header names the learner: a saved copy names whoever it was saved for, so it is
  // relabelled with the learner the phone last heard from the server.
  var chip = document.querySelector(".account summary");
  var label = chip && chip.querySelector(".first-name") ? [".avatar", ".first-name", ".who"].map(function (part) {
    var node = document.querySelector(".account " + part);
    return node ? node.textContent : "";
  }) : null;
  if (navigator.onLine && !forcedOffline) {
    if (person) localStorage.setItem("person", person); else localStorage.removeItem("person");
    if (person && label) localStorage.setItem("person-label", JSON.stringify(label));
  } else {
    person = localStorage.getItem("person");
    var kept = JSON.parse(localStorage.getItem("person-label") || "null");
    if (label && kept) [".avatar", ".first-name", ".who"].forEach(function (part, index) {
      var node = document.querySelector(".account " + part);
      if (node) node.textContent = kept[index];
    });
  }
  var csrf = document.querySelector("meta[name=csrf-token]");
  var text = {};
  var textNode = document.getElementById("offline-text");
  if (textNode) text = JSON.parse(textNode.textContent);

  // --- the queue -------------------------------------------------------------------------
  var store = window.HocSo.database("hocso", { events: "id", attempts: "key" });
  function queued() { return store("events", "readonly", function (s) { return s.getAll(); }); }
  function enqueue(event) {
    return store("events", "readwrite", function (s) { s.put(event); }).then(showStatus);
  }
  function makeEvent(type, course, lesson, step, answer) {
    return { id: window.HocSo.uuid4(), person: Number(person), type: type, course: course, lesson: lesson,
             step: step, answer: answer === undefined ? null : answer,
             occurred_at: new Date().toISOString() };
  }

  // --- sending -------------------------------------------------------------------------
  var statusNode = document.getElementById("sync-status");
  function showStatus() {
    if (!statusNode) return Promise.resolve();
    return queued().then(function (events) {
      var lessons = {};
      events.forEach(function (e) { lessons[e.person + "/" + e.course + "/" + e.lesson] = 1; });
      var count = Object.keys(lessons).length;
      statusNode.setAttribute("data-queued", count);
      // "All saved" only where something is recorded: elsewhere the node waits hidden.
      if (!count && !statusNode.hasAttribute("data-saved")) { statusNode.hidden = true; return count; }
      statusNode.hidden = false;
      statusNode.className = "sync " + (count ? "waiting" : "saved");
      statusNode.textContent = count ? (text.waiting || statusNode.getAttribute("data-waiting") || "").replace("%(count)s", count)
                                     : statusNode.getAttribute("data-saved");
      return count;
    });
  }
  var send = window.HocSo.sender(queued, function () {
    return queued().then(function loop(events) {
      if (!events.length || !csrf) return;
      var batch = events.slice(0, 100);
      return window.HocSo.fetch("/api/v1/progress/events", {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf.content },
        body: JSON.stringify({ events: batch })
      }).then(function (response) {
        if (!response.ok) throw new Error("status " + response.status);
        return response.json();
      }).then(function (answer) {
        // Accepted, already there, or refused for good: none of these is sent again.
        var done = answer.accepted.concat(answer.duplicates,
          answer.rejected.map(function (r) { return r.id; }));
        return store("events", "readwrite", function (s) { done.forEach(function (id) { s.delete(id); }); });
      }).then(queued).then(loop);
    });
  }, function () { return false; }, showStatus);
  window.addEventListener("online", function () { send(); });
  if (person) { showStatus(); send(); }

  // --- sign-out on a shared phone: send what waits, then forget the saved pages ----------
  var logout = document.querySelector("form.js-logout");
  if (logout) logout.addEventListener("submit", function (event) {
    event.preventDefault();
    localStorage.removeItem("person");
    localStorage.removeItem("person-label");
    send().then(function () {
      // Other scripts' own clean-up (the ambassador's kept households), then the pages.
      return Promise.all((window.hocsoSignOutTasks || []).map(function (task) { return task(); }));
    }).then(function () {
      return caches.keys().then(function (keys) {
        return Promise.all(keys.map(function (key) { return caches.delete(key); }));
      });
    }).catch(function () {}).then(function () { logout.submit(); });
  });

  // --- saving a course for offline use ---------------------------------------------------
  document.querySelectorAll(".js-save-offline").forEach(function (button) {
    var slug = button.getAttribute("data-course");
    var state = document.querySelector(".js-save-state[data-course='" + slug + "']");
    var key = "saved:" + slug;
    function say(message) { if (state) state.textContent = message; }
    var saved = localStorage.getItem(key);
    if (saved) say(button.getAttribute("data-saved").replace("%(size)s", saved.split("|")[1]));
    button.hidden = false;
    button.addEventListener("click", function () {
      say(button.getAttribute("data-saving"));
      fetch("/api/v1/courses/" + slug + "/offline" + location.search, { credentials: "same-origin" })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (list) {
          return caches.open("hocso-course-" + slug).then(function (cache) {
            return cache.addAll(list.urls);
          }).then(function () {
            var size = Math.max(1, Math.round(list.bytes / 1024)) + " KB";
            localStorage.setItem(key, list.version + "|" + size);
            say(button.getAttribute("data-saved").replace("%(size)s", size));
          });
        }).catch(function () { say(button.getAttribute("data-failed")); });
    });
  });

  // --- the quiz attempt this phone has seen ---------------------------------------------
  // A dropped connection splits an attempt between the pages and the queue: the phone keeps
  // every answer of the attempt, those the server showed too, so that its own grading and
  // the finish it sends hold all of them. A result from the server ends the attempt.
  function keyOf(node) {
    return person + "/" + node.getAttribute("data-course") + "/" + node.getAttribute("data-lesson");
  }
  var result = document.querySelector(".result[data-lesson]");
  if (result && person && !forcedOffline) {
    store("attempts", "readwrite", function (s) { s.delete(keyOf(result)); }).catch(function () {});
  }

  // --- a lesson step without a connection -----------------------------------------------
  var article = document.querySelector("article.step");
  if (!article || !person) return;
  var course = article.getAttribute("data-course"), lesson = article.getAttribute("data-lesson");
  var step = Number(article.getAttribute("data-step")), total = Number(article.getAttribute("data-total"));
  var kind = article.getAttribute("data-kind");
  var attemptKey = keyOf(article);
  function remember(answer) {
    return store("attempts", "readwrite", function (s) {
      var request = s.get(attemptKey);
      request.onsuccess = function () {
        var attempt = request.result || { key: attemptKey, answers: {} };
        attempt.answers[step] = answer;
        s.put(attempt);
      };
    });
  }
  var shown = document.getElementById("feedback");
  if (kind === "quiz" && shown && !forcedOffline) {
    remember(JSON.parse(shown.getAttribute("data-answer"))).catch(function () {});
  }
  // Right and wrong also sound, where the phone lets a page play one: two rising notes,
  // or one low one. Never needed: the icon, the colour and the words say it too.
  var Sound = window.AudioContext || window.webkitAudioContext;
  function chime(right) {
    if (!Sound) return;
    try {
      var audio = new Sound(), now = audio.currentTime;
      (right ? [[660, 0], [880, 0.14]] : [[233, 0], [185, 0.18]]).forEach(function (note) {
        var tone = audio.createOscillator(), gain = audio.createGain(), at = now + note[1];
        tone.type = right ? "sine" : "triangle";
        tone.frequency.value = note[0];
        gain.gain.setValueAtTime(0.0001, at);
        gain.gain.exponentialRampToValueAtTime(0.3, at + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.3);
        tone.connect(gain); gain.connect(audio.destination);
        tone.start(at); tone.stop(at + 0.32);
      });
      if (audio.state === "suspended" && audio.resume) audio.resume().catch(function () {});
      setTimeout(function () { if (audio.close) audio.close().catch(function () {}); }, 1200);
      document.documentElement.setAttribute("data-chimed", right ? "right" : "wrong");
    } catch (error) { /* no sound on this phone */ }
  }
  var ANSWERED = "hocso-answered";
  try {
    // The answer was just sent from this step (not a later visit): sound its verdict once.
    if (shown && sessionStorage.getItem(ANSWERED) === location.pathname) chime(shown.classList.contains("right"));
    sessionStorage.removeItem(ANSWERED);
  } catch (error) { /* storage refused: no sound */ }
  function offline() { return forcedOffline || !navigator.onLine; }
  function courseData() {
    return caches.match("/api/v1/courses/" + course, { ignoreSearch: true })
      .then(function (r) { if (!r) throw new Error("not saved"); return r.json(); });
  }
  function lessonStep(data) {
    var found = data.lessons.filter(function (l) { return l.slug === lesson; })[0];
    return { lesson: found, step: found.steps[step - 1] };
  }
  function readAnswer(form, question) {
    if (question.kind === "order") {
      var order = [];
      for (var i = 0; i < question.options.length; i++) {
        var value = form.querySelector("[name=position-" + i + "]").value;
        if (value === "") return null;
        order.push(Number(value));
      }
      return order;
    }
    var checked = Array.prototype.map.call(form.querySelectorAll("input[name=choice]:checked"),
      function (input) { return Number(input.value); });
    if (question.kind === "multiple") return checked.sort();
    return checked.length ? checked[0] : null;
  }
  function isRight(question, answer) {
    var right = [];
    question.options.forEach(function (o, i) { if (o.correct) right.push(i); });
    if (question.kind === "order") return answer.every(function (v, i) { return v === i; });
    if (question.kind === "multiple") return JSON.stringify(answer) === JSON.stringify(right);
    return answer === right[0];
  }
  var ICONS = { ok: "M4 12l5 5L20 6", wrong: "M6 6l12 12M18 6L6 18" };
  function icon(name) {  // the same icons as the pages' own (templates/_macros.html)
    var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24"); svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("fill", "none"); svg.setAttribute("stroke", "currentColor");
    svg.setAttribute("stroke-width", "2.5"); svg.setAttribute("stroke-linecap", "round");
    var path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", ICONS[name]);
    svg.appendChild(path);
    return svg;
  }
  function element(tag, className, words) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (words) node.textContent = words;
    return node;
  }
  function goOn(nextForm) {
    var flushed = false;
    nextForm.addEventListener("submit", function (event) {
      if (!offline()) {
        // Finishing online: first send the answers still waiting, so the server grades
        // the attempt on all of them.
        if (step < total || flushed) return;
        event.preventDefault();
        send().catch(function () {}).then(function () { flushed = true; nextForm.submit(); });
        return;
      }
      event.preventDefault();
      enqueue(makeEvent("step_viewed", course, lesson, step, { seconds: 0 })).then(function () {
        if (step < total) { location.href = location.pathname.replace(/\/\d+$/, "/" + (step + 1)); return; }
        return finishOffline();
      });
    });
  }
  function finishOffline() {
    return Promise.all([courseData(), store("attempts", "readonly", function (s) { return s.get(attemptKey); })])
      .then(function (both) {
        var data = lessonStep(both[0]), answers = (both[1] && both[1].answers) || {};
        var quiz = data.lesson.steps.filter(function (s) { return s.kind === "quiz"; });
        var right = quiz.filter(function (s) { return s.number in answers && isRight(s.question, answers[s.number]); }).length;
        // The server's rule, counted for this lesson by the server itself (grading.py).
        var needed = Number(article.getAttribute("data-needed"));
        var passed = right >= needed;
        return enqueue(makeEvent("lesson_completed", course, lesson, total, { answers: answers }))
          .then(function () { return store("attempts", "readwrite", function (s) { s.delete(attemptKey); }); })
          .then(function () {
            article.textContent = "";
            article.appendChild(element("h1", "", passed ? text.done : text.almost));
            article.appendChild(element("p", "feedback " + (passed ? "right" : "wrong"),
              text.score.replace("%(right)s", right).replace("%(total)s", quiz.length)));
            article.appendChild(element("p", passed ? "muted" : "",
              text.rule.replace("%(needed)s", needed).replace("%(total)s", quiz.length)));
            article.appendChild(element("p", "", text.later));
            document.querySelectorAll(".next-bar").forEach(function (bar) { bar.hidden = true; });
          });
      });
  }
  var questionForm = document.querySelector("form.question");
  if (questionForm) questionForm.addEventListener("submit", function (event) {
    if (!offline()) {
      try { sessionStorage.setItem(ANSWERED, location.pathname); } catch (error) { /* no sound */ }
      return;
    }
    event.preventDefault();
    courseData().then(function (data) {
      var question = lessonStep(data).step.question;
      var answer = readAnswer(questionForm, question);
      if (answer === null) return;
      var right = isRight(question, answer);
      var work = enqueue(makeEvent("answer_submitted", course, lesson, step, answer));
      if (kind === "quiz") work = work.then(function () { return remember(answer); });
      return work.then(function () {
        var box = element("section", "feedback " + (right ? "right" : "wrong"));
        box.setAttribute("role", "status");
        var verdict = element("h2", "verdict", " " + (right ? text.right : text.wrong));
        var badge = element("span", "badge");  // as the page's own verdict (_feedback.html)
        badge.appendChild(icon(right ? "ok" : "wrong"));
        verdict.insertBefore(badge, verdict.firstChild);
        box.appendChild(verdict);
        var list = element("ul", "explained");
        var chosen = [].concat(answer);
        question.options.forEach(function (option, index) {
          if (question.kind === "order" || !(option.correct || chosen.indexOf(index) >= 0)) return;
          var item = element("li", option.correct ? "right" : "wrong");
          var pick = element("p", "pick");
          pick.appendChild(icon(option.correct ? "ok" : "wrong"));
          if (chosen.indexOf(index) >= 0) pick.appendChild(element("span", "tag", text.yours));
          if (option.correct) pick.appendChild(element("span", "tag ok", text.correct));
          pick.appendChild(element("q", "answer", option.text));
          item.appendChild(pick);
          item.appendChild(element("p", "", option.feedback));
          list.appendChild(item);
        });
        if (question.kind === "order") box.appendChild(element("p", "", question.feedback));
        box.appendChild(list);
        questionForm.replaceWith(box);
        chime(right);
        var next = document.getElementById("offline-next");
        if (next) next.hidden = false;
      });
    }).catch(function () { alert(text.notSaved); });
  });
  document.querySelectorAll("form.bottom").forEach(goOn);
})();
