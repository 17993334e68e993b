// Chat: the family room and one-to-one rooms. Messages arrive live, older ones load as the
// list scrolls up, the others' "read" marks show on one's own messages, and one's own
// messages can be deleted. Message text is always set as text, never as HTML.
import { h, replace } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { dateTime, uuid } from '../lib/format.js';
import { actionButton, field, onSubmit, statusRegion } from '../lib/ui.js';
import { refresher } from '../lib/refresher.js';

/** @typedef {import('../app.js').Context} Context */
/**
 * @typedef {{ id: number, room_id: number, author: { id: number, display_name: string },
 *   client_id: string, text: string | null, deleted: boolean, created_at: string }} Message
 * @typedef {{ id: number, kind: 'family' | 'direct', member_ids?: number[],
 *   last_message: Message | null, unread: number }} Room
 */

/**
 * The room's name as its reader sees it: the family room, or the other member.
 * @param {Room} room
 * @param {number} me
 * @param {Map<number, string>} members
 */
export function roomName(room, me, members) {
  if (room.kind === 'family') return t('chat.family_room');
  const other = room.member_ids?.find((id) => id !== me);
  return members.get(other ?? -1) ?? t('chat.direct_room');
}

/** @param {Context} ctx */
export function roomsScreen(ctx) {
  const me = /** @type {import('../lib/api.js').User} */ (ctx.api.user);
  const list = h('ul', { class: 'rooms' });
  const others = h('div', { class: 'row' });
  const status = statusRegion();

  async function load() {
    const members = await ctx.members();
    const page = await ctx.api.get('/chat/rooms?limit=50');
    replace(list, page.items.map((/** @type {Room} */ room) => {
      const name = roomName(room, me.id, members);
      const last = room.last_message;
      return h('li', {},
        h('a', { href: `/chat/${room.id}`, class: 'room' },
          h('span', { class: 'name' }, name),
          room.unread > 0 ? h('span', { class: 'unread', 'data-testid': 'unread', 'aria-label': t('chat.unread_n', { n: room.unread }) }, String(room.unread)) : null,
          h('span', { class: 'preview muted' }, last ? (last.deleted ? t('chat.deleted') : `${last.author.display_name}: ${last.text}`) : t('chat.empty'))));
    }));
    replace(others, [...members].filter(([id]) => id !== me.id).map(([id, name]) =>
      actionButton(t('chat.talk_with', { name }), async () => {
        const room = await ctx.api.post('/chat/rooms', { member_id: id });
        ctx.navigate(`/chat/${room.id}`);
      }, { status })));
  }
  const fresh = refresher(load, status);
  const unsubscribe = ctx.live.subscribe((e) => {
    if (e.type.startsWith('chat.') || e.type === 'reset') fresh.reload();
  });
  return {
    el: h('section', {}, h('h1', {}, t('nav.chat')), status, list, h('h2', {}, t('chat.start')), others),
    dispose() {
      unsubscribe();
      fresh.dispose();
    },
  };
}

/**
 * @param {Context} ctx
 * @param {Record<string, string>} params
 */
export function roomScreen(ctx, params) {
  const me = /** @type {import('../lib/api.js').User} */ (ctx.api.user);
  const roomId = Number(params.id);
  const title = h('h1', {}, t('nav.chat'));
  const status = statusRegion();
  const callArea = h('div', { class: 'row' });
  const list = h('ol', { class: 'messages', 'aria-live': 'polite', 'aria-label': t('chat.messages') });
  const sentinel = h('li', { class: 'older muted', 'aria-hidden': 'true' });
  /** @type {Map<number, HTMLElement>} */
  const shown = new Map();
  /** @type {number | null} */
  let olderCursor = null;
  let readByOthers = 0;
  let loadingOlder = false;
  let readSent = 0;

  /** @param {Message} m */
  function bubble(m) {
    const mine = m.author.id === me.id;
    const text = h('p', { class: 'text' }, m.deleted ? t('chat.deleted') : m.text);
    const el = h('li', { class: `message ${mine ? 'mine' : 'theirs'}${m.deleted ? ' deleted' : ''}`, 'data-message': m.id },
      mine ? null : h('span', { class: 'author' }, m.author.display_name), text,
      h('span', { class: 'meta muted' }, dateTime(m.created_at),
        mine ? h('span', { class: 'read', 'data-testid': 'read-mark', hidden: m.id > readByOthers }, ` · ${t('chat.read')}`) : null));
    if (mine && !m.deleted) {
      el.append(actionButton(t('common.delete'), async () => {
        await ctx.api.delete(`/chat/rooms/${roomId}/messages/${m.id}`);
        replace(el, bubble({ ...m, deleted: true, text: null }));
        el.className = 'message mine deleted';
      }, { status, kind: 'link', label: t('chat.delete_message') }));
    }
    return el;
  }

  /** @param {Message[]} messages newest first, older than everything shown */
  function prepend(messages) {
    const anchor = sentinel.nextSibling;
    for (const m of [...messages].reverse()) {
      if (shown.has(m.id)) continue;
      const el = bubble(m);
      shown.set(m.id, el);
      list.insertBefore(el, anchor);
    }
  }

  /** @param {Message} m */
  function appendNewest(m) {
    if (shown.has(m.id)) return;
    const el = bubble(m);
    shown.set(m.id, el);
    list.append(el);
    el.scrollIntoView({ block: 'end' });
    void markRead();
  }

  async function markRead() {
    const newest = Math.max(0, ...shown.keys());
    if (newest <= readSent || document.visibilityState === 'hidden') return;
    readSent = newest;
    try {
      await ctx.api.post(`/chat/rooms/${roomId}/read`, { message_id: newest });
    } catch {
      readSent = 0; // marked again with the next message or visit
    }
  }

  async function loadOlder() {
    if (loadingOlder || olderCursor === null) return;
    loadingOlder = true;
    try {
      const page = await ctx.api.get(`/chat/rooms/${roomId}/messages?limit=30&before=${olderCursor}`);
      olderCursor = page.next_cursor;
      const height = list.scrollHeight;
      prepend(page.items);
      list.scrollTop += list.scrollHeight - height;
      sentinel.textContent = olderCursor === null ? t('chat.beginning') : '';
    } finally {
      loadingOlder = false;
    }
  }

  async function start() {
    const members = await ctx.members();
    const rooms = await ctx.api.get('/chat/rooms?limit=200');
    const room = rooms.items.find((/** @type {Room} */ r) => r.id === roomId);
    if (room) title.textContent = roomName(room, me.id, members);
    // A one-to-one room calls the other member.
    const other = room?.kind === 'direct' ? room.member_ids?.find((/** @type {number} */ id) => id !== me.id) : undefined;
    if (other !== undefined) {
      const name = members.get(other) ?? '';
      replace(callArea, actionButton(t('call.video'), () => ctx.calls.call(other, 'video'),
        { status, label: t('call.start', { name }) }));
    }
    const page = await ctx.api.get(`/chat/rooms/${roomId}/messages?limit=30`);
    olderCursor = page.next_cursor;
    list.append(sentinel);
    prepend(page.items);
    sentinel.textContent = olderCursor === null ? t('chat.beginning') : '';
    list.lastElementChild?.scrollIntoView({ block: 'end' });
    await markRead();
    observer.observe(sentinel);
  }

  const observer = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) loadOlder().catch(() => {});
  }, { root: list });

  const text = /** @type {HTMLInputElement} */ (h('input', { name: 'text', required: true, maxlength: 2000, autocomplete: 'off' }));
  const form = /** @type {HTMLFormElement} */ (h('form', { class: 'send' }, field('chat.message', text),
    h('button', { type: 'submit', class: 'primary' }, t('chat.send'))));
  onSubmit(form, status, async () => {
    const body = { client_id: uuid(), text: text.value };
    const sent = await ctx.api.post(`/chat/rooms/${roomId}/messages`, body);
    text.value = '';
    appendNewest(sent);
    text.focus();
  });

  const first = refresher(async () => {
    replace(list);
    shown.clear();
    await start();
  }, status);
  const onVisible = () => void markRead();
  document.addEventListener('visibilitychange', onVisible);
  const unsubscribe = ctx.live.subscribe((e) => {
    if (e.data?.room_id !== roomId && e.type !== 'reset') return;
    if (e.type === 'chat.message') appendNewest(e.data.message);
    else if (e.type === 'chat.deleted') {
      const el = shown.get(e.data.message_id);
      if (el) {
        el.classList.add('deleted');
        const p = el.querySelector('.text');
        if (p) p.textContent = t('chat.deleted');
      }
    } else if (e.type === 'chat.read') {
      readByOthers = Math.max(readByOthers, e.data.message_id);
      for (const [id, el] of shown) {
        const mark = /** @type {HTMLElement | null} */ (el.querySelector('.read'));
        if (mark && id <= readByOthers) mark.hidden = false;
      }
    } else if (e.type === 'reset') {
      first.reload();
    }
  });
  return {
    el: h('section', { class: 'chat' }, h('p', {}, h('a', { href: '/chat' }, t('chat.all_rooms'))), title, callArea, list, form, status),
    dispose() {
      unsubscribe();
      first.dispose();
      observer.disconnect();
      document.removeEventListener('visibilitychange', onVisible);
    },
  };
}
