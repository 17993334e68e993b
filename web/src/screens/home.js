// Home: a child sees their grape bunch and their missions to do; a parent sees each child's
// board and what waits for their approval.
import { h, replace } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { boardCard } from './board.js';
import { missionItem } from './missions.js';
import { statusRegion } from '../lib/ui.js';
import { refresher } from '../lib/refresher.js';

/** @typedef {import('../app.js').Context} Context */

/** @param {Context} ctx */
export function homeScreen(ctx) {
  const me = /** @type {import('../lib/api.js').User} */ (ctx.api.user);
  const parent = me.role === 'parent';
  /** @type {(() => void)[]} */
  const disposers = [];
  const boards = h('div', { class: 'boards' });
  const pending = h('ul', { class: 'missions', 'aria-live': 'polite' });
  const status = statusRegion();
  /** @type {Map<number, string>} */
  let names = new Map();

  async function loadMissions() {
    const q = new URLSearchParams({ status: parent ? 'submitted' : 'assigned', limit: '20' });
    const page = await ctx.api.get(`/missions?${q}`);
    replace(pending, page.items.length
      ? page.items.map((/** @type {any} */ m) => missionItem(ctx, m, names, () => fresh.reload()))
      : h('li', { class: 'empty' }, t(parent ? 'home.nothing_to_approve' : 'home.nothing_to_do')));
  }

  let started = false;
  async function start() {
    names = await ctx.children();
    started = true;
    if (parent) {
      if (names.size === 0) {
        boards.append(h('p', {}, t('home.invite_child'), ' ', h('a', { href: '/family' }, t('nav.family'))));
      }
      for (const [id, name] of names) {
        const card = boardCard(ctx, id, { title: name });
        card.el.append(h('a', { href: `/children/${id}` }, t('home.open_child', { name })));
        disposers.push(card.dispose);
        boards.append(card.el);
      }
    } else {
      const card = boardCard(ctx, me.id, { title: t('home.my_grapes') });
      disposers.push(card.dispose);
      boards.append(card.el);
    }
  }
  const fresh = refresher(async () => {
    if (!started) await start();
    await loadMissions();
  }, status);
  disposers.push(fresh.dispose);
  disposers.push(ctx.live.subscribe((e) => {
    if (e.type.startsWith('mission.') || e.type === 'reset') fresh.reload();
  }));
  return {
    el: h('section', { class: 'home' },
      h('h1', {}, t('home.hello', { name: me.display_name })), status, boards,
      h('h2', {}, t(parent ? 'home.to_approve' : 'home.to_do')), pending),
    dispose() { disposers.forEach((d) => d()); },
  };
}
