// Học Số service worker: saved courses play without a connection.
// Pages: network first, the saved copy when the network fails. Pictures and scripts:
// the saved copy first (their URLs carry a version, so a copy is never stale).
"use strict";

var RUNTIME = "hocso-runtime";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

function fromCache(request) {
  return caches.match(request).then(function (found) {
    return found || caches.match(request, { ignoreSearch: true });
  });
}

function lessonStart(url) {
  // /learn/<course>/<lesson> redirects to a step online; offline, to its saved first step.
  if (!/^\/learn\/[^/]+\/[^/]+$/.test(url.pathname)) return Promise.resolve(undefined);
  return caches.match(url.pathname + "/1").then(function (found) {
    return found ? Response.redirect(url.pathname + "/1", 302) : undefined;
  });
}

function markedSaved(response) {
  // The page tells its script that it is a saved copy: whoever it was saved for, the
  // learner now is the one the phone last heard from the server.
  if (!response || !(response.headers.get("Content-Type") || "").startsWith("text/html")) {
    return response;
  }
  return response.text().then(function (html) {
    return new Response(html.replace("<body", "<body data-saved-copy"),
                        { status: response.status, headers: response.headers });
  });
}

function notSaved() {
  // The page's own translated "no connection" page, kept by every page it visited online.
  return caches.match("/offline", { ignoreSearch: true }).then(function (page) {
    return page || Response.error();
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;

  if (request.method === "POST") {
    if (request.mode !== "navigate") return;  // the API: the page handles its own retries
    // A form sent while the connection drops: go back to the page, which then works
    // offline, instead of showing the browser's error.
    event.respondWith(fetch(request).catch(function () {
      return Response.redirect(url.pathname + "?retry=offline", 303);
    }));
    return;
  }
  if (request.method !== "GET") return;

  if (url.pathname.indexOf("/static/") === 0 || url.pathname.indexOf("/content/") === 0 ||
      url.pathname.indexOf("/narration/recordings/") === 0) {
    event.respondWith(fromCache(request).then(function (found) {
      return found || fetch(request).then(function (response) {
        // Whole answers only (not a part asked with Range), and nothing marked no-store
        // (a recording still waiting for review).
        if (response.status === 200 &&
            (response.headers.get("Cache-Control") || "").indexOf("no-store") < 0) {
          var copy = response.clone();
          caches.open(RUNTIME).then(function (cache) { cache.put(request, copy); });
        }
        return response;
      });
    }));
    return;
  }
  if (request.mode === "navigate" || url.pathname.indexOf("/api/v1/courses/") === 0) {
    event.respondWith(fetch(request).catch(function () {
      return fromCache(request).then(markedSaved).then(function (found) {
        return found || lessonStart(url).then(function (start) {
          if (start) return start;
          return request.mode === "navigate" ? notSaved() : Response.error();
        });
      });
    }));
  }
});
