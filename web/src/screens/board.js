// A child's grape board drawn as a bunch: attached grapes, empty places up to the goal,
// waiting grapes beside it (the child taps them to stick them on), and the picked gift.
import { h, replace, svg } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { grapeLayout, bunchSize } from '../lib/grape_layout.js';
import { actionButton, statusRegion } from '../lib/ui.js';
import { refresher } from '../lib/refresher.js';

/** @typedef {import('../app.js').Context} Context */
/**
 * @typedef {{ id: number, child_id: number, number: number, goal: number, attached: number,
 *   waiting: number, total: number, status: 'collecting' | 'full',
 *   gift: { name: string, image_url?: string | null } | null }} Board
 */

/**
 * @param {Board} board
 * @returns {SVGElement}
 */
export function bunchPicture(board) {
  const radius = 10;
  const { width, height } = bunchSize(board.goal, radius);
  const grapes = grapeLayout(board.goal, radius).map((p, i) =>
    svg('circle', { cx: p.x, cy: p.y + 14, r: radius - 0.5, class: i < board.attached ? 'grape on' : 'grape empty' }));
  const stem = svg('path', { d: `M${width / 2} 14 q 4 -10 12 -12`, class: 'stem' });
  const picture = svg('svg', { viewBox: `0 0 ${width} ${height + 14}`, class: 'bunch', role: 'img' }, stem, ...grapes);
  const label = t('board.picture', { attached: board.attached, goal: board.goal });
  picture.setAttribute('aria-label', label);
  picture.appendChild(svg('title')).textContent = label;
  return picture;
}

/**
 * @param {Context} ctx
 * @param {number} childId
 * @param {{ title?: string }} [options]
 */
export function boardCard(ctx, childId, options = {}) {
  const me = /** @type {import('../lib/api.js').User} */ (ctx.api.user);
  const isChild = me.id === childId;
  const status = statusRegion();
  const body = h('div', { class: 'board-body' });
  const el = h('section', { class: 'card board', 'data-child': childId, 'aria-label': options.title ?? t('board.title') },
    options.title ? h('h2', {}, options.title) : null, body, status);

  async function load() {
    /** @type {Board} */
    const board = await ctx.api.get(`/children/${childId}/board`);
    render(board);
  }

  /** @param {Board} board */
  function render(board) {
    const waiting = h('div', { class: 'waiting', 'data-testid': 'waiting' });
    const shown = Math.min(board.waiting, 20);
    for (let i = 0; i < shown; i++) {
      if (isChild && board.attached < board.goal) {
        waiting.append(actionButton('', () => attach(1), { status, kind: 'grape-button', label: t('board.attach_one') }));
      } else {
        waiting.append(h('span', { class: 'grape-dot', 'aria-hidden': 'true' }));
      }
    }
    replace(body,
      bunchPicture(board),
      h('p', { class: 'counts', 'data-testid': 'board-counts' },
        t('board.counts', { attached: board.attached, goal: board.goal, waiting: board.waiting })),
      board.waiting > 0 ? h('div', {}, h('p', {}, t(isChild ? 'board.tap_to_attach' : 'board.waiting', { waiting: board.waiting })), waiting) : null,
      isChild && board.waiting > 1 && board.attached < board.goal
        ? actionButton(t('board.attach_all'), () => attach(Math.min(board.waiting, board.goal - board.attached)), { status, kind: 'primary' })
        : null,
      h('p', { class: 'gift' }, board.gift ? t('board.gift', { name: board.gift.name }) : t('board.no_gift')),
      board.status === 'full' ? h('p', { class: 'full', 'data-testid': 'board-full' }, t('board.full')) : null,
      board.status === 'full' && me.role === 'parent'
        ? actionButton(t('board.redeem'), async () => {
          if (!confirm(t('board.redeem_confirm'))) return;
          render((await ctx.api.post(`/children/${childId}/board/redeem`, {})).board);
        }, { status, kind: 'primary' })
        : null,
      h('p', { class: 'muted' }, t('board.number', { number: board.number })));
  }

  /** @param {number} count */
  async function attach(count) {
    render(await ctx.api.post(`/children/${childId}/board/attach`, { count }));
  }

  const fresh = refresher(load, status);
  const unsubscribe = ctx.live.subscribe((e) => {
    const forThisChild = e.data && (e.data.child_id === childId || e.data.board?.child_id === childId);
    if (e.type === 'reset' || ((e.type.startsWith('grapes.') || e.type.startsWith('board.')) && forThisChild) ||
        e.type === 'mission.approved') {
      fresh.reload();
    }
  });
  return {
    el,
    dispose() {
      unsubscribe();
      fresh.dispose();
    },
  };
}
