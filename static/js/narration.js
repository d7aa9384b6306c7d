// Narration: record a step or an answer with the phone's microphone, see the sound level
// while recording, listen to it, then send it for review. Without this script the page
// says that recording needs JavaScript.
(function () {
  "use strict";
  var recorders = document.querySelectorAll(".js-recorder");
  if (!recorders.length) return;
  var csrf = document.querySelector("meta[name=csrf-token]");
  var types = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus"];
  var type = null;
  if (window.MediaRecorder && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    type = types.filter(function (t) { return MediaRecorder.isTypeSupported(t); })[0] || null;
  }
  if (!type) {
    var warning = document.querySelector(".js-unsupported");
    if (warning) warning.hidden = false;
    return;
  }
  var extension = type.indexOf("ogg") >= 0 ? "ogg" : "webm";
  var busy = null;  // the recorder now listening: one at a time

  recorders.forEach(function (box) {
    var start = box.querySelector(".js-start"), stop = box.querySelector(".js-stop");
    var send = box.querySelector(".js-send"), level = box.querySelector(".js-level");
    var time = box.querySelector(".js-time"), state = box.querySelector(".js-state");
    var playback = box.querySelector(".js-playback");
    var maxSeconds = Number(box.getAttribute("data-max-seconds")) || 120;
    var recorder = null, stream = null, audio = null, blob = null, started = 0, timer = null;
    box.hidden = false;

    function say(words, isError) {
      state.textContent = words;
      state.className = "js-state" + (isError ? " error-text" : "");
    }
    function showLevel(analyser) {
      var samples = new Float32Array(analyser.fftSize);
      (function frame() {
        if (!recorder || recorder.state !== "recording") { level.value = 0; return; }
        analyser.getFloatTimeDomainData(samples);
        var sum = 0;
        for (var i = 0; i < samples.length; i++) sum += samples[i] * samples[i];
        // Speech sits far below full scale: stretch it so that a voice fills the meter.
        level.value = Math.min(1, Math.sqrt(sum / samples.length) * 4);
        requestAnimationFrame(frame);
      })();
    }
    function tick() {
      var seconds = Math.floor((Date.now() - started) / 1000);
      time.textContent = box.getAttribute("data-recording").replace("%(seconds)s", seconds);
      if (seconds >= maxSeconds) finish();
    }
    function finish() {
      if (recorder && recorder.state === "recording") recorder.stop();
    }
    function release() {
      clearInterval(timer);
      if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
      if (audio) audio.close().catch(function () {});
      stream = null; audio = null; busy = null;
      level.hidden = true; stop.hidden = true; start.hidden = false;
    }

    start.addEventListener("click", function () {
      if (busy) return;
      busy = box;
      say("");
      send.hidden = true;
      navigator.mediaDevices.getUserMedia({ audio: true }).then(function (got) {
        stream = got;
        var chunks = [];
        recorder = new MediaRecorder(stream, { mimeType: type, audioBitsPerSecond: 32000 });
        recorder.addEventListener("dataavailable", function (event) {
          if (event.data && event.data.size) chunks.push(event.data);
        });
        recorder.addEventListener("stop", function () {
          release();
          time.textContent = box.getAttribute("data-recorded")
            .replace("%(seconds)s", Math.round((Date.now() - started) / 1000));
          blob = new Blob(chunks, { type: type.split(";")[0] });
          if (playback.src) URL.revokeObjectURL(playback.src);
          playback.src = URL.createObjectURL(blob);
          playback.hidden = false;
          send.hidden = false;
          send.disabled = false;
        });
        var Context = window.AudioContext || window.webkitAudioContext;
        if (Context) {
          audio = new Context();
          var analyser = audio.createAnalyser();
          analyser.fftSize = 1024;
          audio.createMediaStreamSource(stream).connect(analyser);
        }
        recorder.start(1000);
        started = Date.now();
        tick();
        timer = setInterval(tick, 250);
        start.hidden = true; stop.hidden = false; level.hidden = false;
        if (analyser) showLevel(analyser);
      }).catch(function () {
        release();
        say(box.getAttribute("data-no-microphone"), true);
      });
    });
    stop.addEventListener("click", finish);

    send.addEventListener("click", function () {
      if (!blob) return;
      send.disabled = true;
      say(box.getAttribute("data-sending"));
      var body = new FormData();
      body.append("audio", blob, "recording." + extension);
      body.append("option", box.getAttribute("data-option"));
      if (csrf) body.append("csrf_token", csrf.content);
      fetch(box.getAttribute("data-url"), {
        method: "POST", credentials: "same-origin", body: body,
        headers: csrf ? { "X-CSRFToken": csrf.content, "Accept": "application/json" } : {}
      }).then(function (response) {
        return response.json().then(function (answer) {
          if (!response.ok) throw new Error(answer.error || "");
          return answer;
        });
      }).then(function (answer) {
        say(answer.message);
        send.hidden = true;
        box.setAttribute("data-sent", answer.id);
      }).catch(function (error) {
        send.disabled = false;
        say(error && error.message ? error.message : box.getAttribute("data-failed"), true);
      });
    });
  });
})();
