// The family: members, link codes with their countdown, renaming, removing.
import { h, replace } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { countdown, dateTime } from '../lib/format.js';
import { actionButton, field, onSubmit, statusRegion } from '../lib/ui.js';
import { refresher } from '../lib/refresher.js';
import { groupCallForm } from './group_call.js';

/** @typedef {import('../app.js').Context} Context */
/** @typedef {{ id: number, display_name: string, role: 'parent' | 'child', avatar_color?: string }} Member */
/** @typedef {{ id: number, name: string, time_zone?: string, members: Member[] }} Family */

/** @param {Context} ctx */
export function familyScreen(ctx) {
  const me = /** @type {import('../lib/api.js').User} */ (ctx.api.user);
  const parent = me.role === 'parent';
  const status = statusRegion();
  const members = h('ul', { class: 'members' });
  const title = h('h1', {}, t('family.title'));
  const codeArea = h('div', { class: 'link-code', 'aria-live': 'polite' });
  const groupCall = h('div');
  /** @type {ReturnType<typeof setInterval> | null} */
  let ticking = null;
  /** @type {Map<number, () => void>} */
  const dots = new Map();

  const zoneForm = timeZoneForm(async (zone) => {
    await ctx.api.patch('/family', { time_zone: zone });
    fresh.reload();
  });

  async function load() {
    /** @type {Family} */
    const family = await ctx.api.get('/family');
    title.textContent = family.name;
    zoneForm.show(family.time_zone ?? 'Asia/Seoul');
    dots.clear();
    replace(members, family.members.map((m) => memberRow(m)));
    const others = family.members.filter((m) => m.id !== me.id);
    replace(groupCall, others.length >= 2 ? groupCallForm(ctx, others) : null);
  }

  /** @param {Member} m */
  function memberRow(m) {
    const name = h('span', { class: 'name' }, m.display_name);
    const row = h('li', { 'data-member': String(m.id) }, avatar(m), presenceDot(m.id),
      name, h('span', { class: 'badge' }, t(m.role === 'parent' ? 'role.parent' : 'role.child')));
    if (m.id !== me.id) {
      row.append(actionButton(t('call.video'), () => ctx.calls.call(m.id, 'video'),
        { status, label: t('call.start', { name: m.display_name }) }));
    }
    if (m.id === me.id || (parent && m.role === 'child')) {
      row.append(actionButton(t('family.rename_member'), () => {
        const form = renameForm('field.display_name', m.display_name, async (value) => {
          await ctx.api.patch(`/family/members/${m.id}`, { display_name: value });
          fresh.reload();
        });
        row.append(form);
        /** @type {HTMLInputElement} */ (form.querySelector('input')).focus();
      }, { label: t('family.rename_member_named', { name: m.display_name }) }));
    }
    if (parent && m.id !== me.id) {
      row.append(actionButton(t('family.remove'), async () => {
        if (!confirm(t('family.remove_confirm', { name: m.display_name }))) return;
        await ctx.api.delete(`/family/members/${m.id}`);
        fresh.reload();
      }, { status, kind: 'danger', label: t('family.remove_named', { name: m.display_name }) }));
    }
    return row;
  }

  /** A dot that says whether the member is online, kept current by the socket. @param {number} id */
  function presenceDot(id) {
    const dot = h('span', { class: 'presence', role: 'img' });
    const show = () => {
      const p = ctx.socket.presence.get(id);
      const online = p?.online ?? false;
      dot.dataset.online = String(online);
      const label = online ? t('presence.online')
        : p?.last_seen ? `${t('presence.offline')}, ${t('presence.last_seen', { time: dateTime(p.last_seen) })}`
          : t('presence.offline');
      dot.setAttribute('aria-label', label);
      dot.title = label;
    };
    show();
    dots.set(id, show);
    return dot;
  }

  /** @param {'child' | 'parent'} role */
  async function makeCode(role) {
    const code = await ctx.api.post('/family/link-codes', { role });
    const until = Date.now() + code.expires_in * 1000;
    const left = h('span', { class: 'countdown' });
    const tick = () => {
      const seconds = (until - Date.now()) / 1000;
      left.textContent = seconds > 0 ? t('family.code_expires_in', { time: countdown(seconds) }) : t('family.code_expired');
      if (seconds <= 0 && ticking) clearInterval(ticking);
    };
    if (ticking) clearInterval(ticking);
    ticking = setInterval(tick, 1000);
    tick();
    replace(codeArea,
      h('p', {}, t(role === 'child' ? 'family.code_for_child' : 'family.code_for_parent')),
      h('output', { class: 'code', 'data-testid': 'link-code' }, code.code),
      left);
  }

  const el = h('section', { class: 'family' }, title, status, h('h2', {}, t('family.members')), members, groupCall);
  if (parent) {
    el.append(
      h('h2', {}, t('family.invite')),
      h('div', { class: 'row' },
        actionButton(t('family.code_child'), () => makeCode('child'), { status, kind: 'primary' }),
        actionButton(t('family.code_parent'), () => makeCode('parent'), { status })),
      codeArea,
      h('h2', {}, t('family.rename')),
      renameForm('field.family_name', '', async (value) => {
        await ctx.api.patch('/family', { name: value });
        fresh.reload();
      }),
      h('h2', {}, t('family.time_zone')),
      h('p', { class: 'muted' }, t('family.time_zone_hint')),
      zoneForm);
  }
  const fresh = refresher(load, status);
  const unsubscribe = ctx.live.subscribe((e) => {
    if (e.type.startsWith('family.') || e.type === 'reset') fresh.reload();
  });
  const unwatch = ctx.socket.on('presence', () => {
    for (const show of dots.values()) show();
  });
  return {
    el,
    dispose() {
      unsubscribe();
      unwatch();
      fresh.dispose();
      if (ticking) clearInterval(ticking);
    },
  };
}

/**
 * @param {import('../lib/i18n.js').MessageKey} label
 * @param {string} value
 * @param {(value: string) => Promise<void>} save
 */
function renameForm(label, value, save) {
  const status = statusRegion();
  const text = /** @type {HTMLInputElement} */ (h('input', { name: 'name', required: true, value, maxlength: 60 }));
  const form = /** @type {HTMLFormElement} */ (h('form', { class: 'inline' }, field(label, text),
    h('button', { type: 'submit', class: 'primary' }, t('common.save')), status));
  onSubmit(form, status, async () => {
    await save(text.value.trim());
    status.textContent = t('common.saved');
  });
  return form;
}

/**
 * The family's IANA time zone, chosen from the browser's list: reservations and events keep
 * their local times in it.
 * @param {(zone: string) => Promise<void>} save
 */
function timeZoneForm(save) {
  const status = statusRegion();
  /** @type {string[]} */
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const select = /** @type {HTMLSelectElement} */ (h('select', { name: 'time_zone' }));
  const form = /** @type {HTMLFormElement & { show: (zone: string) => void }} */ (h('form', { class: 'inline' },
    field('field.time_zone', select), h('button', { type: 'submit', class: 'primary' }, t('common.save')), status));
  form.show = (zone) => {
    const names = zones.includes(zone) ? zones : [zone, ...zones];
    replace(select, names.map((z) => h('option', { value: z, selected: z === zone }, z)));
  };
  onSubmit(form, status, async () => {
    await save(select.value);
    status.textContent = t('common.saved');
  });
  return form;
}

/**
 * The member's initial on their colour (set through CSSOM: the CSP allows no inline styles).
 * @param {Member} m
 */
export function avatar(m) {
  const el = h('span', { class: 'avatar', 'aria-hidden': 'true' }, m.display_name.slice(0, 1));
  el.style.backgroundColor = m.avatar_color && /^#[0-9a-fA-F]{6}$/.test(m.avatar_color) ? m.avatar_color : '#6b3fb8';
  return el;
}
