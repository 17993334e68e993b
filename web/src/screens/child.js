// One child in detail: the board and its settings (goal, the gift from the wishlist), grape
// awards and corrections, the ledger, past boards and the wishlist.
import { h, replace } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { dateTime, price, uuid } from '../lib/format.js';
import { actionButton, field, onSubmit, statusRegion } from '../lib/ui.js';
import { refresher } from '../lib/refresher.js';
import { boardCard } from './board.js';

/** @typedef {import('../app.js').Context} Context */
/**
 * @typedef {{ id: number, child_id: number, gift_id: number | null, name: string,
 *   link_url: string | null, price_won: number | null, picked: boolean,
 *   given_at: string | null }} WishItem
 */

/**
 * A child's wishlist: the child adds free items and removes any; a parent picks the
 * board's gift from it.
 * @param {Context} ctx
 * @param {number} childId
 */
export function wishlistPanel(ctx, childId) {
  const me = /** @type {import('../lib/api.js').User} */ (ctx.api.user);
  const isChild = me.id === childId;
  const status = statusRegion();
  const list = h('ul', { class: 'wishlist', 'aria-live': 'polite' });

  async function load() {
    const page = await ctx.api.get(`/children/${childId}/wishlist?limit=100`);
    replace(list, page.items.length ? page.items.map((/** @type {WishItem} */ w) => h('li', { class: 'wish', 'data-wish': w.id },
      h('span', { class: 'name' }, w.name),
      w.price_won ? h('span', { class: 'muted' }, price(w.price_won)) : null,
      w.link_url && /^https?:\/\//.test(w.link_url) ? h('a', { href: w.link_url, rel: 'noopener noreferrer', target: '_blank' }, t('wish.link')) : null,
      w.picked ? h('span', { class: 'badge approved' }, t('wish.picked')) : null,
      w.given_at ? h('span', { class: 'badge' }, t('wish.given')) : null,
      !isChild && !w.picked && !w.given_at
        ? actionButton(t('wish.pick'), async () => {
          await ctx.api.put(`/children/${childId}/board`, { wish_item_id: w.id });
          fresh.reload();
        }, { status, kind: 'primary', label: t('wish.pick_named', { name: w.name }) })
        : null,
      isChild && !w.given_at
        ? actionButton(t('common.delete'), async () => {
          await ctx.api.delete(`/children/${childId}/wishlist/${w.id}`);
          fresh.reload();
        }, { status, kind: 'danger', label: t('wish.remove_named', { name: w.name }) })
        : null))
      : h('li', { class: 'empty' }, t('wish.none')));
  }

  const el = h('section', { class: 'card', 'aria-labelledby': `wish-${childId}` },
    h('h2', { id: `wish-${childId}` }, t('wish.title')), status, list);
  if (isChild) {
    const formStatus = statusRegion();
    const name = /** @type {HTMLInputElement} */ (h('input', { name: 'name', required: true, maxlength: 100 }));
    const link = /** @type {HTMLInputElement} */ (h('input', { name: 'link_url', type: 'url', maxlength: 2000 }));
    const form = /** @type {HTMLFormElement} */ (h('form', { class: 'inline' },
      h('h3', {}, t('wish.add_free')), field('field.name_wish', name), field('field.link_url', link),
      h('button', { type: 'submit', class: 'primary' }, t('wish.add')), formStatus,
      h('p', {}, h('a', { href: '/gifts' }, t('wish.from_catalog')))));
    onSubmit(form, formStatus, async () => {
      /** @type {Record<string, string>} */
      const body = { name: name.value.trim() };
      if (link.value.trim()) body.link_url = link.value.trim();
      await ctx.api.post(`/children/${childId}/wishlist`, body, { 'Idempotency-Key': uuid() });
      form.reset();
      fresh.reload();
    });
    el.append(form);
  }
  const fresh = refresher(load, status);
  const unsubscribe = ctx.live.subscribe((e) => {
    if (e.type === 'wishlist.changed' || e.type.startsWith('board.') || e.type === 'reset') fresh.reload();
  });
  return { el, dispose() { unsubscribe(); fresh.dispose(); } };
}

/**
 * @param {Context} ctx
 * @param {Record<string, string>} params
 */
export function childScreen(ctx, params) {
  const me = /** @type {import('../lib/api.js').User} */ (ctx.api.user);
  const childId = Number(params.id);
  const parent = me.role === 'parent';
  const title = h('h1', {}, t('child.title'));
  const status = statusRegion();
  const ledger = h('ul', { class: 'ledger' });
  const past = h('ul', { class: 'ledger' });
  const board = boardCard(ctx, childId);
  const wishes = wishlistPanel(ctx, childId);

  async function load() {
    const names = await ctx.members();
    title.textContent = t('child.title_named', { name: names.get(childId) ?? '' });
    const history = await ctx.api.get(`/children/${childId}/grapes/history?limit=50`);
    replace(ledger, history.items.length ? history.items.map((/** @type {any} */ e) => h('li', {},
      h('span', { class: e.amount > 0 ? 'plus' : 'minus' }, e.amount > 0 ? `+${e.amount}` : String(e.amount)), ' ',
      h('span', {}, t(e.kind === 'mission' ? 'ledger.mission' : e.kind === 'correction' ? 'ledger.correction' : 'ledger.award')),
      e.reason ? h('span', {}, ` · ${e.reason}`) : null,
      h('span', { class: 'muted' }, ` · ${t('ledger.balance', { n: e.balance })} · ${dateTime(e.created_at)}`)))
      : h('li', { class: 'empty' }, t('ledger.none')));
    const boards = await ctx.api.get(`/children/${childId}/boards?limit=20`);
    replace(past, boards.items.length ? boards.items.map((/** @type {any} */ b) => h('li', {},
      t('child.past_board', { number: b.number, goal: b.goal, gift: b.gift_name ?? t('board.no_gift') }),
      h('span', { class: 'muted' }, ` · ${dateTime(b.redeemed_at)}`)))
      : h('li', { class: 'empty' }, t('child.no_past_boards')));
  }

  const el = h('section', { class: 'child' }, title, status, h('div', { class: 'boards' }, board.el, wishes.el));
  if (parent) {
    const awardStatus = statusRegion();
    const amount = /** @type {HTMLInputElement} */ (h('input', { name: 'amount', type: 'number', min: -1000, max: 1000, required: true, value: '1' }));
    const reason = /** @type {HTMLInputElement} */ (h('input', { name: 'reason', required: true, maxlength: 200 }));
    const award = /** @type {HTMLFormElement} */ (h('form', { class: 'card', 'aria-labelledby': 'award-title' },
      h('h2', { id: 'award-title' }, t('child.award_title')),
      field('field.amount', amount, 'child.amount_hint'), field('field.reason', reason),
      h('button', { type: 'submit', class: 'primary' }, t('child.award')), awardStatus));
    onSubmit(award, awardStatus, async () => {
      await ctx.api.post(`/children/${childId}/grapes`, { amount: Number(amount.value), reason: reason.value.trim() },
        { 'Idempotency-Key': uuid() });
      award.reset();
      awardStatus.textContent = t('common.saved');
    });
    const goalStatus = statusRegion();
    const goal = /** @type {HTMLInputElement} */ (h('input', { name: 'goal', type: 'number', min: 5, max: 100, required: true }));
    const goalForm = /** @type {HTMLFormElement} */ (h('form', { class: 'card', 'aria-labelledby': 'goal-title' },
      h('h2', { id: 'goal-title' }, t('child.goal_title')), field('field.goal', goal),
      h('button', { type: 'submit', class: 'primary' }, t('common.save')), goalStatus));
    onSubmit(goalForm, goalStatus, async () => {
      await ctx.api.put(`/children/${childId}/board`, { goal: Number(goal.value) });
      goalStatus.textContent = t('common.saved');
    });
    el.append(h('div', { class: 'boards' }, award, goalForm));
  }
  el.append(h('h2', {}, t('child.ledger')), ledger, h('h2', {}, t('child.past_boards')), past);
  const fresh = refresher(load, status);
  const unsubscribe = ctx.live.subscribe((e) => {
    if (e.type.startsWith('grapes.') || e.type.startsWith('board.') || e.type === 'reset') fresh.reload();
  });
  return {
    el,
    dispose() {
      unsubscribe();
      fresh.dispose();
      board.dispose();
      wishes.dispose();
    },
  };
}
