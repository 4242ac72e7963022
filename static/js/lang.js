// The page's language, before anything is drawn (a classic script in <head>, not a module).
// The server renders ?lang= when the URL has it, else the browser's language (Accept-Language).
// A choice is kept in the URL and in localStorage: ?lang= is remembered; without it, a remembered
// choice that differs from what the server rendered reloads the page with it; internal links
// carry ?lang= along while the URL has it.
(function () {
  var KEY = "optlab.lang";
  var LANGS = ["en", "zh"];
  var html = document.documentElement;
  var params = new URLSearchParams(window.location.search);
  var asked = params.get("lang");
  var stored = null;
  try {
    stored = window.localStorage.getItem(KEY);
  } catch (err) {
    stored = null; // storage disabled: the URL alone keeps the choice
  }
  if (LANGS.indexOf(asked) >= 0) {
    try {
      window.localStorage.setItem(KEY, asked);
    } catch (err) {
      // as above
    }
  } else if (LANGS.indexOf(stored) >= 0 && stored !== html.dataset.lang) {
    params.set("lang", stored);
    window.location.replace(window.location.pathname + "?" + params.toString() + window.location.hash);
    return;
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (!link || link.origin !== window.location.origin) return;
    var lang = new URLSearchParams(window.location.search).get("lang");
    if (link.dataset.lang) {
      // The switch: this very page (with whatever state its URL holds now) in the other language.
      try {
        window.localStorage.setItem(KEY, link.dataset.lang);
      } catch (err) {
        // as above
      }
      var here = new URL(window.location.href);
      here.searchParams.set("lang", link.dataset.lang);
      link.href = here.toString();
      return;
    }
    if (!lang || link.hasAttribute("download") || link.pathname.indexOf("/api/") === 0) return;
    var url = new URL(link.href);
    if (!url.searchParams.has("lang")) {
      url.searchParams.set("lang", lang);
      link.href = url.toString();
    }
  }, true);
})();
