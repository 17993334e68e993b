// Notifications: the bell with the unread count, and the list, read up to the newest.
import { h, replace } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { dateTime } from '../lib/format.js';
import { actionButton, statusRegion } from '../lib/ui.js';
import { refresher } from '../lib/refresher.js';

/** @typedef {import('../app.js').Context} Context */
/** @typedef {{ id: number, type: string, data: any, created_at: string, unread: boolean }} Notice */

/**
 * What a notification says, from its type and the names and titles it carries.
 * @param {Notice} n
 * @returns {string}
 */
export function noticeText(n) {
  const d = n.data ?? {};
  const name = String(d.member?.display_name ?? d.message?.author?.display_name ?? '');
  const title = String(d.mission?.title ?? '');
  switch (n.type) {
    case 'family.member_joined': return t('notice.member_joined', { name });
    case 'family.member_removed': return t('notice.member_removed', { name });
    case 'mission.assigned': return t('notice.mission_assigned', { title });
    case 'mission.submitted': return t('notice.mission_submitted', { title });
    case 'mission.approved': return t('notice.mission_approved', { title });
    case 'mission.rejected': return t('notice.mission_rejected', { title });
    case 'mission.updated': return t('notice.mission_updated', { title });
    case 'mission.deleted': return t('notice.mission_deleted', { title });
    case 'mission.expired': return t('notice.mission_expired', { title });
    case 'mission.activated': return t('notice.mission_activated', { title });
    case 'calendar.changed': return t('notice.calendar_changed');
    case 'grapes.changed': return t('notice.grapes_changed');
    case 'board.updated': return t('notice.board_updated');
    case 'board.redeemed': return t('notice.board_redeemed');
    case 'wishlist.changed': return t('notice.wishlist_changed');
    case 'chat.message': return t('notice.chat_message', { name });
    case 'call.missed': return t(d.media === 'audio' ? 'notice.call_missed_audio' : 'notice.call_missed_video',
      { name: String(d.caller_name ?? '') });
    default: return t('notice.other');
  }
}

/**
 * The header's bell: a link to the list with the unread count, kept current.
 * @param {Context} ctx
 */
export function bell(ctx) {
  const count = h('span', { class: 'unread', 'data-testid': 'bell-count', hidden: true });
  // Its name is what it shows: "알림 4" (the bell itself is decoration).
  const link = h('a', { href: '/notifications', class: 'bell' },
    h('span', { 'aria-hidden': 'true' }, '🔔'), h('span', { class: 'sr-only' }, t('notice.title')), count);
  /** @type {ReturnType<typeof setTimeout> | null} */
  let pending = null;
  async function refresh() {
    const { unread } = await ctx.api.get('/notifications/unread-count');
    count.textContent = String(unread);
    count.hidden = unread === 0;
  }
  // Bursts of events (a batch of grapes) ask once.
  const soon = () => {
    if (pending) return;
    pending = setTimeout(() => {
      pending = null;
      void refresh().catch(() => {});
    }, 150);
  };
  const unsubscribe = ctx.live.subscribe(soon);
  void refresh().catch(() => {});
  return { el: link, refresh: soon, dispose: unsubscribe };
}

/** @param {Context} ctx */
export function notificationsScreen(ctx) {
  const list = h('ul', { class: 'notices', 'aria-live': 'polite' });
  const more = h('div');
  const status = statusRegion();
  let newest = 0;

  /** @param {number | null} [cursor] */
  async function load(cursor = null) {
    const page = await ctx.api.get(`/notifications?limit=50${cursor ? `&cursor=${cursor}` : ''}`);
    const items = page.items.map((/** @type {Notice} */ n) => {
      newest = Math.max(newest, n.id);
      return h('li', { class: n.unread ? 'notice unread-item' : 'notice' },
        h('span', {}, noticeText(n)), ' ', h('time', { class: 'muted', datetime: n.created_at }, dateTime(n.created_at)),
        n.unread ? h('span', { class: 'sr-only' }, ` (${t('notice.new')})`) : null);
    });
    if (cursor) list.append(...items);
    else replace(list, items.length ? items : h('li', { class: 'empty' }, t('notice.none')));
    replace(more, page.next_cursor ? actionButton(t('common.more'), () => load(page.next_cursor)) : null);
  }

  const markAll = actionButton(t('notice.mark_read'), async () => {
    if (!newest) return;
    await ctx.api.post('/notifications/read', { up_to: newest });
    ctx.refreshBell();
    fresh.reload();
  }, { status, kind: 'primary' });

  const fresh = refresher(() => load(), status);
  const unsubscribe = ctx.live.subscribe(() => fresh.reload());
  return {
    el: h('section', {}, h('h1', {}, t('notice.title')), markAll, status, list, more),
    dispose() {
      unsubscribe();
      fresh.dispose();
    },
  };
}
