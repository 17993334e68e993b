// One catalogue per language; Korean unless the user switched. Text comes only from here:
// the server's English `detail` is never shown (problems are translated by their `code`).
import { ko } from '../i18n/ko.js';
import { en } from '../i18n/en.js';

/** @typedef {keyof typeof ko} MessageKey */
/** @typedef {'ko' | 'en'} Locale */

export const catalogues = /** @type {const} */ ({ ko, en });
const storageKey = 'poki.locale';

/** @type {Locale} */
let current = 'ko';

/** @returns {Locale} */
export function locale() {
  return current;
}

/**
 * @param {Locale} next
 */
export function setLocale(next) {
  current = next;
  try {
    localStorage.setItem(storageKey, next);
  } catch {
    // private mode: the choice lasts for this page only
  }
  document.documentElement.lang = next;
}

export function restoreLocale() {
  let saved = null;
  try {
    saved = localStorage.getItem(storageKey);
  } catch {
    saved = null;
  }
  setLocale(saved === 'en' ? 'en' : 'ko');
}

/**
 * The text for `key` with `{name}` placeholders filled.
 * @param {MessageKey} key
 * @param {Record<string, string | number>} [params]
 * @returns {string}
 */
export function t(key, params = {}) {
  return format(catalogues[current][key] ?? ko[key] ?? key, params);
}

/**
 * @param {string} template
 * @param {Record<string, string | number>} params
 */
export function format(template, params) {
  return template.replace(/\{(\w+)\}/g, (whole, name) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole,
  );
}

/**
 * The message key for a problem: its specific `code` when this app knows it, else its
 * `category` (one of the generic kinds), else the generic "something went wrong".
 * @param {string | undefined} code
 * @param {string} [category]
 * @returns {MessageKey}
 */
export function problemKey(code, category) {
  for (const candidate of [code, category]) {
    const key = `problem.${candidate ?? 'unknown'}`;
    if (key in ko) return /** @type {MessageKey} */ (key);
  }
  return 'problem.unknown';
}

/**
 * The message key for one field's problem code ("too_long"); "invalid" for one this app
 * does not know.
 * @param {string | undefined} code
 * @returns {MessageKey}
 */
export function fieldProblemKey(code) {
  const key = `invalid.${code ?? 'invalid'}`;
  return /** @type {MessageKey} */ (key in ko ? key : 'invalid.invalid');
}
