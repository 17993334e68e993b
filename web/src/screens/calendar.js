// The family calendar: a month or week of events, missions by due time, planned missions
// (reservations) and gift days, the chosen day's list, the forms that plan missions and
// events (parents), and the secret iCalendar feed to copy into a phone's calendar. Dates are
// the family's time zone's, whatever the browser's; open pages reload on calendar.changed.
import { h, replace } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { uuid } from '../lib/format.js';
import { actionButton, field, onSubmit, statusRegion } from '../lib/ui.js';
import { refresher } from '../lib/refresher.js';
import { addDays, byDay, isoWeekday, queryRange, startTime, today, visibleDays } from '../lib/calendar_grid.js';

/** @typedef {import('../app.js').Context} Context */
/** @typedef {import('../lib/calendar_grid.js').CalendarItem} CalendarItem */
/** @typedef {import('../lib/i18n.js').MessageKey} MessageKey */

const weekdayNames = /** @type {const} */ (['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
const perCell = 3;

/**
 * How often something repeats, and until when: the "repeat" object both forms send.
 * @param {() => string} firstDay the form's first date, for a weekly rule's default day
 */
function repeatFields(firstDay) {
  const every = /** @type {HTMLSelectElement} */ (h('select', { name: 'every' },
    ['', 'day', 'week', 'month'].map((v) => h('option', { value: v },
      t(/** @type {MessageKey} */ (v ? `calendar.every_${v}` : 'calendar.once'))))));
  const interval = /** @type {HTMLInputElement} */ (h('input', { name: 'interval', type: 'number', min: 1, max: 99, value: '1' }));
  const days = weekdayNames.map((name) => /** @type {HTMLInputElement} */ (h('input', { type: 'checkbox', name: `weekday-${name}`, value: name })));
  const weekdays = h('fieldset', { class: 'weekdays', hidden: true },
    h('legend', {}, t('calendar.weekdays')),
    days.map((box, i) => h('label', { class: 'check' }, box, t(/** @type {MessageKey} */ (`calendar.day_${weekdayNames[i]}`)))));
  const ends = /** @type {HTMLSelectElement} */ (h('select', { name: 'ends' },
    ['never', 'until', 'count'].map((v) => h('option', { value: v }, t(/** @type {MessageKey} */ (`calendar.ends_${v}`))))));
  const until = /** @type {HTMLInputElement} */ (h('input', { name: 'until', type: 'date' }));
  const count = /** @type {HTMLInputElement} */ (h('input', { name: 'count', type: 'number', min: 1, max: 1000, value: '10' }));
  const untilField = field('calendar.until', until);
  const countField = field('calendar.count', count);
  const repeatOnly = h('div', { class: 'repeat-details', hidden: true },
    field('calendar.interval', interval), weekdays, field('calendar.ends', ends), untilField, countField);
  const sync = () => {
    repeatOnly.hidden = !every.value;
    weekdays.hidden = every.value !== 'week';
    untilField.hidden = ends.value !== 'until';
    countField.hidden = ends.value !== 'count';
    until.required = !repeatOnly.hidden && ends.value === 'until';
  };
  every.addEventListener('change', sync);
  ends.addEventListener('change', sync);
  sync();
  return {
    el: h('div', { class: 'repeat' }, field('calendar.repeat', every), repeatOnly),
    /** @returns {Record<string, unknown> | null} */
    value() {
      if (!every.value) return null;
      /** @type {Record<string, unknown>} */
      const rule = { every: every.value, interval: Number(interval.value) || 1 };
      if (every.value === 'week') {
        const chosen = days.filter((d) => d.checked).map((d) => d.value);
        rule.weekdays = chosen.length ? chosen : [weekdayNames[isoWeekday(firstDay()) - 1]];
      }
      if (ends.value === 'until' && until.value) rule.until = until.value;
      if (ends.value === 'count') rule.count = Number(count.value) || 1;
      return rule;
    },
    reset() {
      every.value = '';
      ends.value = 'never';
      days.forEach((d) => { d.checked = false; });
      sync();
    },
  };
}

/**
 * A parent plans a mission: once or repeating, at a local time.
 * @param {Context} ctx
 * @param {Map<number, string>} children
 * @param {() => string} chosenDay
 * @param {() => void} done
 */
function reservationForm(ctx, children, chosenDay, done) {
  const status = statusRegion();
  const child = /** @type {HTMLSelectElement} */ (h('select', { name: 'child_id', required: true },
    [...children].map(([id, name]) => h('option', { value: id }, name))));
  const title = /** @type {HTMLInputElement} */ (h('input', { name: 'title', required: true, maxlength: 100 }));
  const reward = /** @type {HTMLInputElement} */ (h('input', { name: 'reward', type: 'number', min: 1, max: 1000, required: true, value: '1' }));
  const dueMinutes = /** @type {HTMLInputElement} */ (h('input', { name: 'due_minutes', type: 'number', min: 1, max: 43200 }));
  const startsOn = /** @type {HTMLInputElement} */ (h('input', { name: 'starts_on', type: 'date', required: true, value: chosenDay() }));
  // Seconds are allowed, so a plan can be made for a minute from now.
  const at = /** @type {HTMLInputElement} */ (h('input', { name: 'at', type: 'time', step: 1, required: true, value: '19:00' }));
  const repeat = repeatFields(() => startsOn.value);
  const form = /** @type {HTMLFormElement} */ (h('form', { class: 'card', 'aria-label': t('calendar.plan_mission') },
    h('h2', {}, t('calendar.plan_mission')),
    field('field.child_id', child), field('field.title', title), field('field.reward', reward),
    field('calendar.starts_on', startsOn), field('calendar.at', at), repeat.el,
    field('field.due_minutes', dueMinutes, 'calendar.due_minutes_hint'),
    h('button', { type: 'submit', class: 'primary' }, t('calendar.plan')), status));
  onSubmit(form, status, async () => {
    /** @type {Record<string, unknown>} */
    const body = {
      child_id: Number(child.value), title: title.value.trim(), reward: Number(reward.value),
      starts_on: startsOn.value, at: at.value.length === 5 ? at.value : at.value.slice(0, 8),
      repeat: repeat.value(),
    };
    if (dueMinutes.value) body.due_minutes = Number(dueMinutes.value);
    await ctx.api.post('/reservations', body, { 'Idempotency-Key': uuid() });
    title.value = '';
    repeat.reset();
    status.textContent = t('calendar.planned');
    done();
  });
  return form;
}

/**
 * A parent adds a family event: all day or timed, for everyone or some members.
 * @param {Context} ctx
 * @param {Map<number, string>} members
 * @param {() => string} chosenDay
 * @param {() => void} done
 */
function eventForm(ctx, members, chosenDay, done) {
  const status = statusRegion();
  const title = /** @type {HTMLInputElement} */ (h('input', { name: 'title', required: true, maxlength: 100 }));
  const allDay = /** @type {HTMLInputElement} */ (h('input', { name: 'all_day', type: 'checkbox' }));
  const startDay = /** @type {HTMLInputElement} */ (h('input', { name: 'start_day', type: 'date', required: true, value: chosenDay() }));
  const startAt = /** @type {HTMLInputElement} */ (h('input', { name: 'start_time', type: 'time', value: '18:00' }));
  const endDay = /** @type {HTMLInputElement} */ (h('input', { name: 'end_day', type: 'date', required: true, value: chosenDay() }));
  const endAt = /** @type {HTMLInputElement} */ (h('input', { name: 'end_time', type: 'time', value: '19:00' }));
  const location = /** @type {HTMLInputElement} */ (h('input', { name: 'location', maxlength: 200 }));
  const note = /** @type {HTMLTextAreaElement} */ (h('textarea', { name: 'note', maxlength: 2000 }));
  const who = [...members].map(([id, name]) => /** @type {const} */ ([id, /** @type {HTMLInputElement} */ (h('input', { type: 'checkbox', value: id })), name]));
  const timeFields = [field('calendar.start_time', startAt), field('calendar.end_time', endAt)];
  const repeat = repeatFields(() => startDay.value);
  allDay.addEventListener('change', () => timeFields.forEach((f) => { f.hidden = allDay.checked; }));
  const form = /** @type {HTMLFormElement} */ (h('form', { class: 'card', 'aria-label': t('calendar.add_event') },
    h('h2', {}, t('calendar.add_event')),
    field('calendar.event_title', title),
    h('label', { class: 'check' }, allDay, t('calendar.all_day')),
    field('calendar.start_day', startDay), timeFields[0], field('calendar.end_day', endDay), timeFields[1],
    field('calendar.location', location), field('calendar.note', note),
    h('fieldset', { class: 'members' }, h('legend', {}, t('calendar.for_whom')),
      who.map(([, box, name]) => h('label', { class: 'check' }, box, name))),
    repeat.el,
    h('button', { type: 'submit', class: 'primary' }, t('calendar.add')), status));
  onSubmit(form, status, async () => {
    /** @type {Record<string, unknown>} */
    const body = {
      title: title.value.trim(), all_day: allDay.checked,
      start: allDay.checked ? startDay.value : `${startDay.value}T${startAt.value}`,
      end: allDay.checked ? endDay.value : `${endDay.value}T${endAt.value}`,
      member_ids: who.filter(([, box]) => box.checked).map(([id]) => id),
      repeat: repeat.value(),
    };
    if (location.value.trim()) body.location = location.value.trim();
    if (note.value.trim()) body.note = note.value.trim();
    await ctx.api.post('/calendar/events', body, { 'Idempotency-Key': uuid() });
    title.value = '';
    repeat.reset();
    status.textContent = t('calendar.added');
    done();
  });
  return form;
}

/**
 * The caller's secret feed URL, made (or replaced) on request, with a copy button.
 * @param {Context} ctx
 */
function feedPanel(ctx) {
  const status = statusRegion();
  const slot = h('div');
  const show = (/** @type {string} */ path) => {
    const url = /** @type {HTMLInputElement} */ (h('input', { readonly: true, value: `${location.origin}${path}`, 'aria-label': t('calendar.feed_url') }));
    replace(slot, h('div', { class: 'row' }, url,
      actionButton(t('calendar.copy'), async () => {
        url.select();
        await navigator.clipboard?.writeText(url.value).catch(() => undefined);
        status.textContent = t('calendar.copied');
      })));
  };
  return h('section', { class: 'card feed', 'aria-label': t('calendar.feed_title') },
    h('h2', {}, t('calendar.feed_title')), h('p', { class: 'muted' }, t('calendar.feed_hint')),
    actionButton(t('calendar.feed_make'), async () => {
      const made = await ctx.api.post('/calendar/feed', {});
      show(made.path);
      status.textContent = t('calendar.feed_made');
    }, { status }), slot, status);
}

/**
 * One item as a line: its time, kind and title.
 * @param {CalendarItem} item
 * @param {string} zone
 * @param {Map<number, string>} names
 */
function itemLine(item, zone, names) {
  const time = startTime(item, zone);
  const who = item.child_id ? names.get(item.child_id) : null;
  const title = item.kind === 'gift_day' ? t('calendar.gift_day', { name: item.title || '🎁' }) : item.title;
  return h('li', { class: `item ${item.kind}`, 'data-kind': item.kind, 'data-id': item.id },
    h('span', { class: 'time' }, time ?? t('calendar.all_day_short')),
    h('span', { class: `badge ${item.kind}` }, t(/** @type {MessageKey} */ (`calendar.kind_${item.kind}`))),
    h('span', { class: 'title' }, title),
    who ? h('span', { class: 'muted' }, who) : null,
    item.location ? h('span', { class: 'muted' }, item.location) : null);
}

/** @param {Context} ctx */
export function calendarScreen(ctx) {
  const me = /** @type {import('../lib/api.js').User} */ (ctx.api.user);
  const parent = me.role === 'parent';
  const status = statusRegion();
  const caption = h('h2', { class: 'caption', 'aria-live': 'polite' });
  const grid = h('div', { class: 'calendar-grid' });
  const dayTitle = h('h2');
  const dayList = h('ul', { class: 'day-items', 'aria-live': 'polite' });
  const forms = h('div', { class: 'calendar-forms' });
  /** @type {'month' | 'week'} */
  let view = 'month';
  let zone = 'Asia/Seoul';
  let chosen = today(zone);
  /** @type {Map<string, CalendarItem[]>} */
  let days = new Map();
  /** @type {Map<number, string>} */
  let names = new Map();

  const viewButtons = /** @type {const} */ (['month', 'week']).map((v) => {
    const b = h('button', { type: 'button', class: 'tab', 'aria-pressed': String(v === view) }, t(/** @type {MessageKey} */ (`calendar.view_${v}`)));
    b.addEventListener('click', () => {
      view = v;
      viewButtons.forEach((x) => x.setAttribute('aria-pressed', String(x === b)));
      fresh.reload();
    });
    return b;
  });
  const step = (/** @type {number} */ direction) => {
    chosen = view === 'week' ? addDays(chosen, 7 * direction)
      : `${addDays(`${chosen.slice(0, 7)}-15`, 30 * direction).slice(0, 7)}-01`;
    fresh.reload();
  };
  const toolbar = h('div', { class: 'row calendar-toolbar' },
    h('div', { class: 'tabs', role: 'group', 'aria-label': t('calendar.view') }, viewButtons),
    actionButton(t('calendar.previous'), () => step(-1)),
    actionButton(t('calendar.today'), () => { chosen = today(zone); fresh.reload(); }),
    actionButton(t('calendar.next'), () => step(1)));

  const showDay = () => {
    const items = days.get(chosen) ?? [];
    dayTitle.textContent = t('calendar.day_title', { day: chosen });
    replace(dayList, items.length ? items.map((item) => itemLine(item, zone, names)) : h('li', { class: 'empty' }, t('calendar.nothing')));
  };

  const drawGrid = (/** @type {string[]} */ shown) => {
    const month = chosen.slice(0, 7);
    const now = today(zone);
    caption.textContent = view === 'month' ? t('calendar.month_caption', { month })
      : t('calendar.week_caption', { from: shown[0], to: shown[6] });
    // The weekday names are for the eye; each day's button names its own date.
    const head = h('div', { class: 'calendar-row head', 'aria-hidden': 'true' },
      weekdayNames.map((n) => h('div', {}, t(/** @type {MessageKey} */ (`calendar.day_${n}`)))));
    const rows = [];
    for (let i = 0; i < shown.length; i += 7) {
      rows.push(h('div', { class: 'calendar-row' }, shown.slice(i, i + 7).map((day) => {
        const items = days.get(day) ?? [];
        const cell = h('button', {
          type: 'button', class: 'day', 'data-day': day,
          'aria-pressed': String(day === chosen), 'aria-current': day === now ? 'date' : false,
        },
        h('span', { class: `date${view === 'month' && day.slice(0, 7) !== month ? ' other-month' : ''}` }, String(Number(day.slice(8)))),
        h('span', { class: 'sr-only' }, t('calendar.day_label', { day, n: items.length })),
        h('ul', { class: 'chips' }, items.slice(0, view === 'week' ? items.length : perCell).map((item) =>
          h('li', { class: `chip ${item.kind}` }, item.kind === 'gift_day' ? '🎁' : item.title))),
        items.length > perCell && view === 'month' ? h('span', { class: 'more' }, t('calendar.more_n', { n: items.length - perCell })) : null);
        cell.addEventListener('click', () => {
          chosen = day;
          grid.querySelectorAll('[aria-pressed="true"]').forEach((x) => x.setAttribute('aria-pressed', 'false'));
          cell.setAttribute('aria-pressed', 'true');
          showDay();
        });
        return cell;
      })));
    }
    replace(grid, head, rows);
  };

  let started = false;
  const fresh = refresher(async () => {
    if (!started) {
      // The family's zone decides what "today" is, before the first range is chosen.
      zone = (await ctx.api.get('/family')).time_zone ?? zone;
      chosen = today(zone);
      names = await ctx.members();
      if (parent) {
        const children = await ctx.children();
        replace(forms,
          children.size ? reservationForm(ctx, children, () => chosen, () => fresh.reload()) : h('p', {}, t('mission.no_children')),
          eventForm(ctx, names, () => chosen, () => fresh.reload()));
      }
      started = true;
    }
    const shown = visibleDays(view, chosen);
    const range = queryRange(shown);
    const answer = await ctx.api.get(`/calendar?${new URLSearchParams(range)}`);
    zone = answer.time_zone;
    days = byDay(answer.items, zone);
    drawGrid(shown);
    showDay();
  }, status);
  const unsubscribe = ctx.live.subscribe((e) => {
    if (e.type === 'calendar.changed' || e.type.startsWith('mission.') || e.type === 'board.redeemed' || e.type === 'reset') fresh.reload();
  });
  return {
    el: h('section', { class: 'calendar' }, h('h1', {}, t('nav.calendar')), toolbar, caption, status, grid,
      h('section', { class: 'day', 'aria-label': t('calendar.day_list') }, dayTitle, dayList),
      forms, feedPanel(ctx)),
    dispose() {
      unsubscribe();
      fresh.dispose();
    },
  };
}
