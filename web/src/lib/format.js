// Formatting for display, in the current language.
import { locale } from './i18n.js';

/**
 * "03:07" for a countdown.
 * @param {number} seconds
 */
export function countdown(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * A date and time such as "12월 3일 오후 7:00".
 * @param {string | null | undefined} iso
 */
export function dateTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(locale() === 'ko' ? 'ko-KR' : 'en-US', {
    month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit',
  }).format(d);
}

/**
 * "12,000원" / "₩12,000".
 * @param {number} won
 */
export function price(won) {
  return new Intl.NumberFormat(locale() === 'ko' ? 'ko-KR' : 'en-US', {
    style: 'currency', currency: 'KRW',
  }).format(won);
}

/**
 * A value for <input type="datetime-local"> → RFC 3339 with the browser's zone offset.
 * @param {string} local like "2026-12-03T19:00"
 * @returns {string | null}
 */
export function localInputToRfc3339(local) {
  if (!local) return null;
  const d = new Date(local);
  if (Number.isNaN(d.getTime())) return null;
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:` +
    `${pad(d.getMinutes())}:00${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/**
 * A random UUID for idempotency keys and chat client ids.
 */
export function uuid() {
  return crypto.randomUUID();
}
