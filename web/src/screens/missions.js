// Missions: a parent assigns (reward, tag, due time) or picks an idea, edits, deletes,
// approves or rejects with a reason; a child submits with a note. Lists by status, live.
import { h, replace } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { dateTime, localInputToRfc3339, uuid } from '../lib/format.js';
import { actionButton, field, onSubmit, statusRegion } from '../lib/ui.js';
import { refresher } from '../lib/refresher.js';
import { ideasPanel } from './mission_ideas.js';

/** @typedef {import('../app.js').Context} Context */
/**
 * @typedef {{ id: number, child_id: number, title: string, description?: string | null,
 *   tag?: string | null, due_at?: string | null, reward: number,
 *   status: 'assigned' | 'submitted' | 'approved' | 'rejected' | 'expired',
 *   note?: string | null, rejection_reason?: string | null }} Mission
 */

const statuses = /** @type {const} */ (['assigned', 'submitted', 'approved', 'rejected', 'expired']);

/**
 * One mission with what the viewer may do to it.
 * @param {Context} ctx
 * @param {Mission} m
 * @param {Map<number, string>} names child id → name
 * @param {() => void} changed
 */
export function missionItem(ctx, m, names, changed) {
  const me = /** @type {import('../lib/api.js').User} */ (ctx.api.user);
  const parent = me.role === 'parent';
  const status = statusRegion();
  const actions = h('div', { class: 'row' });
  const el = h('li', { class: `mission ${m.status}`, 'data-mission': m.id },
    h('div', { class: 'mission-head' },
      h('strong', { class: 'title' }, m.title),
      h('span', { class: `badge ${m.status}` }, t(`mission.status.${m.status}`)),
      h('span', { class: 'reward' }, t('mission.reward_n', { n: m.reward }))),
    parent && names.size > 1 ? h('p', { class: 'muted' }, names.get(m.child_id) ?? '') : null,
    m.description ? h('p', {}, m.description) : null,
    m.tag ? h('p', { class: 'tag' }, `#${m.tag}`) : null,
    m.due_at ? h('p', { class: 'muted' }, t('mission.due', { when: dateTime(m.due_at) })) : null,
    m.note ? h('p', { class: 'note' }, t('mission.note_shown', { note: m.note })) : null,
    m.rejection_reason ? h('p', { class: 'reason' }, t('mission.reason_shown', { reason: m.rejection_reason })) : null,
    actions, status);

  /** @param {string} label @param {string} fieldName @param {(text: string) => Promise<void>} send @param {boolean} required */
  const textForm = (label, fieldName, send, required) => {
    const formStatus = statusRegion();
    const text = /** @type {HTMLInputElement} */ (h('input', { name: fieldName, maxlength: 500, required }));
    const form = /** @type {HTMLFormElement} */ (h('form', { class: 'inline' },
      field(/** @type {any} */ (`field.${fieldName}`), text), h('button', { type: 'submit', class: 'primary' }, label), formStatus));
    onSubmit(form, formStatus, async () => {
      await send(text.value.trim());
      changed();
    });
    return form;
  };

  if (!parent && (m.status === 'assigned' || m.status === 'rejected')) {
    actions.append(actionButton(t('mission.submit'), () => {
      replace(actions, textForm(t('mission.submit'), 'note', async (note) => {
        await ctx.api.post(`/missions/${m.id}/submit`, note ? { note } : {});
      }, false));
    }, { kind: 'primary' }));
  }
  if (parent && m.status === 'submitted') {
    actions.append(
      actionButton(t('mission.approve'), async () => {
        await ctx.api.post(`/missions/${m.id}/approve`, {});
        changed();
      }, { status, kind: 'primary', label: t('mission.approve_named', { title: m.title }) }),
      actionButton(t('mission.reject'), () => {
        replace(actions, textForm(t('mission.reject'), 'reason', async (reason) => {
          await ctx.api.post(`/missions/${m.id}/reject`, { reason });
        }, true));
      }, { label: t('mission.reject_named', { title: m.title }) }));
  }
  if (parent && (m.status === 'assigned' || m.status === 'rejected')) {
    actions.append(actionButton(t('common.edit'), () => {
      replace(actions, missionForm(ctx, names, m, changed));
    }));
  }
  if (parent && m.status !== 'approved') {
    actions.append(actionButton(t('common.delete'), async () => {
      if (!confirm(t('mission.delete_confirm', { title: m.title }))) return;
      await ctx.api.delete(`/missions/${m.id}`);
      changed();
    }, { status, kind: 'danger', label: t('mission.delete_named', { title: m.title }) }));
  }
  return el;
}

/**
 * The form that assigns a mission, or edits one.
 * @param {Context} ctx
 * @param {Map<number, string>} names
 * @param {Mission | null} editing
 * @param {() => void} done
 */
export function missionForm(ctx, names, editing, done) {
  const status = statusRegion();
  const child = /** @type {HTMLSelectElement} */ (h('select', { name: 'child_id', required: true, disabled: Boolean(editing) },
    [...names].map(([id, name]) => h('option', { value: id, selected: editing?.child_id === id }, name))));
  const title = h('input', { name: 'title', required: true, maxlength: 100, value: editing?.title ?? '' });
  const reward = h('input', { name: 'reward', type: 'number', min: 1, max: 1000, required: true, value: String(editing?.reward ?? 1) });
  const tag = h('input', { name: 'tag', maxlength: 30, value: editing?.tag ?? '' });
  const description = h('textarea', { name: 'description', maxlength: 1000 });
  description.textContent = editing?.description ?? '';
  const due = h('input', { name: 'due_at', type: 'datetime-local' });
  const form = /** @type {HTMLFormElement} */ (h('form', { class: editing ? 'inline' : 'card', 'aria-label': t(editing ? 'mission.edit_title' : 'mission.new_title') },
    editing ? null : h('h2', {}, t('mission.new_title')),
    field('field.child_id', child), field('field.title', title), field('field.reward', reward),
    field('field.tag', tag), field('field.description', description), field('field.due_at', due),
    h('button', { type: 'submit', class: 'primary' }, t(editing ? 'common.save' : 'mission.assign')), status));
  onSubmit(form, status, async () => {
    const data = new FormData(form);
    /** @type {Record<string, unknown>} */
    const body = {
      title: String(data.get('title') ?? '').trim(),
      reward: Number(data.get('reward')),
    };
    const tagText = String(data.get('tag') ?? '').trim();
    const text = String(data.get('description') ?? '').trim();
    const dueAt = localInputToRfc3339(String(data.get('due_at') ?? ''));
    if (editing) {
      body.tag = tagText || null;
      body.description = text;
      if (dueAt) body.due_at = dueAt;
      await ctx.api.patch(`/missions/${editing.id}`, body);
    } else {
      body.child_id = Number(child.value);
      if (tagText) body.tag = tagText;
      if (text) body.description = text;
      if (dueAt) body.due_at = dueAt;
      await ctx.api.post('/missions', body, { 'Idempotency-Key': uuid() });
      form.reset();
    }
    status.textContent = t('common.saved');
    done();
  });
  return form;
}

/** @param {Context} ctx */
export function missionsScreen(ctx) {
  const me = /** @type {import('../lib/api.js').User} */ (ctx.api.user);
  const parent = me.role === 'parent';
  const list = h('ul', { class: 'missions', 'aria-live': 'polite' });
  const more = h('div');
  const status = statusRegion();
  /** @type {string} */
  let filter = parent ? 'submitted' : 'assigned';
  /** @type {Map<number, string>} */
  let names = new Map();
  const formSlot = h('div');

  const tabs = h('div', { class: 'tabs', role: 'group', 'aria-label': t('mission.filter') },
    ['', ...statuses].map((s) => {
      const b = h('button', { type: 'button', class: 'tab', 'aria-pressed': String(s === filter), 'data-status': s },
        s ? t(/** @type {import('../lib/i18n.js').MessageKey} */ (`mission.status.${s}`)) : t('mission.all'));
      b.addEventListener('click', () => {
        filter = s;
        tabs.querySelectorAll('button').forEach((x) => x.setAttribute('aria-pressed', String(x === b)));
        fresh.reload();
      });
      return b;
    }));

  /** @param {number | null} [cursor] */
  async function load(cursor = null) {
    const q = new URLSearchParams({ limit: '50' });
    if (filter) q.set('status', filter);
    if (cursor) q.set('cursor', String(cursor));
    const page = await ctx.api.get(`/missions?${q}`);
    const items = page.items.map((/** @type {Mission} */ m) => missionItem(ctx, m, names, () => fresh.reload()));
    if (cursor) list.append(...items);
    else replace(list, items.length ? items : h('li', { class: 'empty' }, t('mission.none')));
    replace(more, page.next_cursor ? actionButton(t('common.more'), () => load(page.next_cursor)) : null);
  }

  let started = false;
  const fresh = refresher(async () => {
    if (!started) {
      names = await ctx.children();
      if (parent) {
        replace(formSlot, names.size
          ? [missionForm(ctx, names, null, () => fresh.reload()), ideasPanel(ctx, names, () => fresh.reload())]
          : h('p', {}, t('mission.no_children')));
      }
      started = true;
    }
    await load();
  }, status);
  const unsubscribe = ctx.live.subscribe((e) => {
    if (e.type.startsWith('mission.') || e.type === 'reset') fresh.reload();
  });
  return {
    el: h('section', {}, h('h1', {}, t('nav.missions')), formSlot, tabs, status, list, more),
    dispose() {
      unsubscribe();
      fresh.dispose();
    },
  };
}
