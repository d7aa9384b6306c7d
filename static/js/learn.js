// Progressive enhancement only: every lesson works without this file.
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

  // Share: the phone's share sheet (Zalo and the rest), where the browser has one.
  var share = document.querySelector(".js-share");
  if (share && navigator.share) {
    share.hidden = false;
    share.addEventListener("click", function () {
      navigator.share({ title: share.getAttribute("data-title"), url: share.getAttribute("data-url") })
        .catch(function () {});
    });
  }
})();
