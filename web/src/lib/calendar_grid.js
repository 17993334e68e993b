// The calendar's date arithmetic, on plain "YYYY-MM-DD" strings in the family's time zone
// (never the browser's): which days a month or week view shows, what range to ask the server
// for, and on which days each timeline item appears.

/**
 * @typedef {{ kind: 'event' | 'mission' | 'reservation' | 'gift_day', id: number, title: string,
 *   start: string, end?: string | null, all_day: boolean, local_start?: string | null,
 *   local_end?: string | null, on_date?: string, child_id?: number | null,
 *   location?: string | null, member_ids?: number[], status?: string | null,
 *   reward?: number | null, moved?: boolean }} CalendarItem
 */

const dayMs = 86400000;

/** @param {string} day "YYYY-MM-DD" @returns {number} its midnight as UTC milliseconds */
function utcMs(day) {
  const [y, m, d] = day.split('-').map(Number);
  return Date.UTC(y, m - 1, d);
}

/** @param {number} ms @returns {string} */
function dayOf(ms) {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * @param {string} day
 * @param {number} n
 */
export function addDays(day, n) {
  return dayOf(utcMs(day) + n * dayMs);
}

/** 1 Monday … 7 Sunday. @param {string} day */
export function isoWeekday(day) {
  const w = new Date(utcMs(day)).getUTCDay();
  return w === 0 ? 7 : w;
}

/** The Monday of the week `day` is in. @param {string} day */
export function weekStart(day) {
  return addDays(day, 1 - isoWeekday(day));
}

/**
 * The days a view shows: a month as whole weeks (Monday first), or one week.
 * @param {'month' | 'week'} view
 * @param {string} anchor any day in the month or week
 * @returns {string[]}
 */
export function visibleDays(view, anchor) {
  if (view === 'week') {
    const first = weekStart(anchor);
    return Array.from({ length: 7 }, (_, i) => addDays(first, i));
  }
  const firstOfMonth = `${anchor.slice(0, 7)}-01`;
  const nextMonth = addDays(firstOfMonth, 32).slice(0, 7);
  const lastOfMonth = addDays(`${nextMonth}-01`, -1);
  const first = weekStart(firstOfMonth);
  const last = addDays(weekStart(lastOfMonth), 6);
  const days = [];
  for (let d = first; d <= last; d = addDays(d, 1)) days.push(d);
  return days;
}

/**
 * The instants to ask for so every local day in `days` is covered whatever the zone: zones
 * are at most 14 hours from UTC, so a margin of 14 hours either side is enough.
 * @param {string[]} days
 */
export function queryRange(days) {
  const margin = 14 * 3600000;
  return {
    from: new Date(utcMs(days[0]) - margin).toISOString(),
    to: new Date(utcMs(days[days.length - 1]) + dayMs + margin).toISOString(),
  };
}

/**
 * "YYYY-MM-DD" and "HH:MM" of an instant in `timeZone`.
 * @param {string} iso
 * @param {string} timeZone
 */
export function localParts(iso, timeZone) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return { day: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

/**
 * The local days an item covers: its start day, through the day its end falls in (an end at
 * midnight belongs to the day before).
 * @param {CalendarItem} item
 * @param {string} timeZone
 * @returns {string[]}
 */
export function daysOf(item, timeZone) {
  const start = item.local_start ? item.local_start.slice(0, 10) : localParts(item.start, timeZone).day;
  if (!item.local_end) return [start];
  let end = item.local_end.slice(0, 10);
  if (item.local_end.slice(11, 19) === '00:00:00' && end > start) end = addDays(end, -1);
  const days = [];
  for (let d = start; d <= end && days.length < 62; d = addDays(d, 1)) days.push(d);
  return days;
}

/**
 * Items by the local days they appear on, each day's in timeline order.
 * @param {CalendarItem[]} items
 * @param {string} timeZone
 * @returns {Map<string, CalendarItem[]>}
 */
export function byDay(items, timeZone) {
  /** @type {Map<string, CalendarItem[]>} */
  const out = new Map();
  for (const item of items) {
    for (const day of daysOf(item, timeZone)) {
      const list = out.get(day) ?? [];
      list.push(item);
      out.set(day, list);
    }
  }
  return out;
}

/**
 * The local time an item starts at ("19:00"), or null for all-day ones.
 * @param {CalendarItem} item
 * @param {string} timeZone
 */
export function startTime(item, timeZone) {
  if (item.all_day || item.kind === 'gift_day') return null;
  return item.local_start ? item.local_start.slice(11, 16) : localParts(item.start, timeZone).time;
}

/**
 * Today in `timeZone`.
 * @param {string} timeZone
 * @param {Date} [now]
 */
export function today(timeZone, now = new Date()) {
  return localParts(now.toISOString(), timeZone).day;
}
