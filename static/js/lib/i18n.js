// The page's words in its language. Every visible string of the modules is written in English as
// t("…") (or tn("…", "…", n) where a count decides the form) and looked up in the catalogue the
// server builds from the same .po files as the templates' (GET /api/i18n/<lang>): no string lives
// in two places. `make i18n` extracts the t()/tn() calls. Holes are named: t("step {k}", {k}).
// The language is the one the server rendered the page in (<html data-lang>, see static/js/lang.js).

import { parseJSON } from "./json.js";

const HOLE = /\{(\w+)\}/g;

function fill(text, params) {
  return text.replace(HOLE, (hole, name) => (Object.hasOwn(params, name) ? String(params[name]) : hole));
}

/** gettext's plural index: English has two forms (n = 1, else), Chinese one. */
export function pluralIndex(lang, n) {
  if (lang === "zh") return 0;
  return n === 1 ? 0 : 1;
}

/** A lookup over `messages` ({msgid: text | [forms]}); a message it lacks is its own English. Pure. */
export function createTranslator(lang = "en", messages = {}) {
  return {
    lang,
    t(msgid, params = {}) {
      const text = messages[msgid];
      return fill(typeof text === "string" && text ? text : msgid, params);
    },
    tn(singular, plural, n, params = {}) {
      const forms = messages[singular];
      const text = Array.isArray(forms) && forms.length
        ? forms[Math.min(pluralIndex(lang, n), forms.length - 1)]
        : [singular, plural][pluralIndex("en", n)];
      return fill(text, { n, ...params });
    },
  };
}

const root = typeof document === "undefined" ? null : document.documentElement;
/** "en" or "zh": the language of this page. */
export const lang = root?.dataset.lang === "zh" ? "zh" : "en";
/** The page's language as a BCP 47 tag (<html lang>): for Accept-Language and Intl. */
export const langTag = root?.lang || "en";

let current = createTranslator(lang);
if (root && lang !== "en") {
  try {
    const response = await fetch(`/api/i18n/${lang}`, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`GET /api/i18n/${lang} answered ${response.status}`);
    current = createTranslator(lang, parseJSON(await response.text()).messages);
  } catch (err) {
    console.warn("the page's translations could not be loaded; showing English", err);
  }
}

/** `msgid` (English, with {holes}) in the page's language, the holes filled from `params`. */
export function t(msgid, params) {
  return current.t(msgid, params);
}

/** The form of `singular`/`plural` for count `n` in the page's language; {n} is filled too. */
export function tn(singular, plural, n, params) {
  return current.tn(singular, plural, n, params);
}

/** Replace the catalogue (node tests: the pure modules' words in another language). */
export function useCatalogue(language, messages) {
  current = createTranslator(language, messages);
}
