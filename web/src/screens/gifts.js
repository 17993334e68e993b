// Gift search over the catalog (Korean, English, typos), with filters, sort and endless
// scrolling; a gift goes onto a wishlist in one tap.
import { h, replace } from '../lib/dom.js';
import { t, locale } from '../lib/i18n.js';
import { price, uuid } from '../lib/format.js';
import { actionButton, field, statusRegion } from '../lib/ui.js';
import { refresher } from '../lib/refresher.js';

/** @typedef {import('../app.js').Context} Context */
/**
 * @typedef {{ id: number, name: string, name_en: string, description: string,
 *   price_won: number, category: string, age: { min: number, max: number } }} Gift
 */

export const categories = ['toys', 'blocks', 'dolls', 'board_games', 'books', 'stationery', 'sports',
  'electronics', 'art', 'science', 'music', 'fashion', 'experiences'];

/**
 * The search query string for the form's values (empty ones left out).
 * @param {{ q?: string, category?: string, min_price?: string, max_price?: string, age?: string, sort?: string }} form
 * @param {number | null} cursor
 */
export function giftQuery(form, cursor) {
  const q = new URLSearchParams({ limit: '20' });
  for (const [name, value] of Object.entries(form)) {
    const text = (value ?? '').trim();
    if (text !== '' && !(name === 'sort' && text === 'relevance')) q.set(name, text);
  }
  if (cursor !== null) q.set('cursor', String(cursor));
  return q.toString();
}

/** @param {Context} ctx */
export function giftsScreen(ctx) {
  const me = /** @type {import('../lib/api.js').User} */ (ctx.api.user);
  const status = statusRegion();
  const results = h('ul', { class: 'gifts', 'aria-live': 'polite', 'aria-label': t('gifts.results') });
  const sentinel = h('p', { class: 'muted' });
  const search = /** @type {HTMLInputElement} */ (h('input', { name: 'q', type: 'search', maxlength: 100 }));
  const category = /** @type {HTMLSelectElement} */ (h('select', { name: 'category' }, h('option', { value: '' }, t('gifts.any')),
    categories.map((c) => h('option', { value: c }, t(/** @type {import('../lib/i18n.js').MessageKey} */ (`category.${c}`))))));
  const minPrice = /** @type {HTMLInputElement} */ (h('input', { name: 'min_price', type: 'number', min: 0, step: 1000 }));
  const maxPrice = /** @type {HTMLInputElement} */ (h('input', { name: 'max_price', type: 'number', min: 0, step: 1000 }));
  const age = /** @type {HTMLInputElement} */ (h('input', { name: 'age', type: 'number', min: 0, max: 99 }));
  const sort = /** @type {HTMLSelectElement} */ (h('select', { name: 'sort' },
    ['relevance', 'popular', 'price_asc', 'price_desc'].map((s) => h('option', { value: s }, t(/** @type {any} */ (`gifts.sort.${s}`))))));
  /** @type {number | null} */
  let cursor = null;
  let generation = 0;
  let loading = false;

  const values = () => ({ q: search.value, category: category.value, min_price: minPrice.value,
    max_price: maxPrice.value, age: age.value, sort: sort.value });

  /** @param {Gift} g */
  function card(g) {
    const [main, other] = locale() === 'ko' ? [g.name, g.name_en] : [g.name_en, g.name];
    const itemStatus = statusRegion();
    return h('li', { class: 'gift card', 'data-gift': g.id },
      h('strong', {}, main), h('span', { class: 'muted', lang: locale() === 'ko' ? 'en' : 'ko' }, ` ${other}`),
      h('p', {}, `${price(g.price_won)} · ${t(/** @type {any} */ (`category.${g.category}`))} · ${t('gifts.ages', { min: g.age.min, max: g.age.max })}`),
      // A wishlist is the child's own: they add; parents pick the board's gift from it.
      me.role === 'child' ? actionButton(t('gifts.add'), async () => {
        await ctx.api.post(`/children/${me.id}/wishlist`, { gift_id: g.id }, { 'Idempotency-Key': uuid() });
        itemStatus.textContent = t('gifts.added');
      }, { status: itemStatus, kind: 'primary', label: t('gifts.add_named', { name: main }) }) : null,
      itemStatus);
  }

  async function first() {
    generation++;
    cursor = null;
    replace(results);
    await more(generation);
  }

  /** @param {number} asked which search this page belongs to (a newer one drops it) */
  async function more(asked) {
    loading = true;
    try {
      const page = await ctx.api.get(`/gifts?${giftQuery(values(), cursor)}`);
      if (asked !== generation) return;
      results.append(...page.items.map(card));
      cursor = page.next_cursor;
      sentinel.textContent = cursor === null ? (results.childElementCount ? t('gifts.end') : t('gifts.none')) : '';
    } finally {
      loading = false;
    }
  }

  const observer = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting) && cursor !== null && !loading) {
      more(generation).catch(() => {});
    }
  });
  /** @type {ReturnType<typeof setTimeout> | null} */
  let typing = null;
  const fresh = refresher(first, status);
  // A reload reads every control, so it also answers any typing still waiting out its
  // pause; left pending, that timer would clear the list again a moment later, under a
  // child who is already tapping a gift in it.
  const reloadNow = () => {
    if (typing) clearTimeout(typing);
    typing = null;
    fresh.reload();
  };
  const changed = () => {
    if (typing) clearTimeout(typing);
    typing = setTimeout(reloadNow, 250);
  };
  for (const control of [search, minPrice, maxPrice, age]) control.addEventListener('input', changed);
  for (const control of [category, sort]) control.addEventListener('change', reloadNow);
  const filters = h('form', { class: 'card filters', role: 'search', on: { submit: (/** @type {Event} */ e) => { e.preventDefault(); reloadNow(); } } },
    field('gifts.search', search), h('div', { class: 'row' }, field('gifts.category', category), field('gifts.sort', sort)),
    h('div', { class: 'row' }, field('gifts.min_price', minPrice), field('gifts.max_price', maxPrice), field('gifts.age', age)));
  observer.observe(sentinel);
  return {
    el: h('section', {}, h('h1', {}, t('nav.gifts')), filters, status, results, sentinel),
    dispose() {
      observer.disconnect();
      fresh.dispose();
      if (typing) clearTimeout(typing);
    },
  };
}
