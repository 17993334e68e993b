// The call on top of whatever screen is open: an incoming call rings with answer and decline,
// an outgoing one says whom it rings, a call in progress shows everyone's video (one tile per
// other party, with their name and whether they are still rung) with mute, camera and
// hang-up, and an ended one says how it ended for a moment.
import { h, replace } from '../lib/dom.js';
import { t } from '../lib/i18n.js';

/** @typedef {import('../app.js').Context} Context */
/** @typedef {import('../lib/call.js').Tile} Tile */

/** How a call ended, in the app's words. @param {string | undefined} outcome */
function outcomeText(outcome) {
  switch (outcome) {
    case 'rejected': return t('call.outcome_rejected');
    case 'missed': return t('call.outcome_missed');
    case 'busy': return t('call.outcome_busy');
    case 'cancelled': return t('call.outcome_cancelled');
    case 'connection_lost': return t('call.outcome_connection_lost');
    case 'failed_media': return t('call.outcome_failed');
    case 'failed': return t('call.outcome_failed');
    case 'in_call_here': return t('call.outcome_in_call_here');
    default: return t('call.outcome_ended');
  }
}

/** @param {string} text @param {() => void} action @param {string} kind */
function button(text, action, kind) {
  const b = h('button', { type: 'button', class: kind }, text);
  b.addEventListener('click', action);
  return b;
}

/** Names in a row: "도윤, 서연" reads better than the formal "도윤 및 서연". @param {string[]} names */
function listOf(names) {
  return names.join(', ');
}

/** @param {Context} ctx @returns {HTMLElement} */
export function callOverlay(ctx) {
  const calls = ctx.calls;
  const el = h('section', { class: 'call', hidden: true, 'aria-live': 'assertive', 'data-testid': 'call' });
  let shown = '';
  // Kept across renders, so a party joining does not restart everyone else's video.
  /** @type {Map<number | 'local', HTMLVideoElement>} */
  const videos = new Map();

  /** @param {number | 'local'} who @param {MediaStream | null} stream */
  function videoOf(who, stream) {
    let v = videos.get(who);
    if (!v) {
      v = /** @type {HTMLVideoElement} */ (h('video', { class: who === 'local' ? 'local' : 'remote', autoplay: true, playsinline: true }));
      v.muted = who === 'local';
      videos.set(who, v);
    }
    if (v.srcObject !== stream) v.srcObject = stream;
    return v;
  }

  /** @param {Tile} tile @param {Map<number, string>} names */
  function tileOf(tile, names) {
    const name = names.get(tile.user) ?? '';
    const state = tile.state === 'ringing' ? t('call.tile_ringing') : tile.connected ? '' : t('call.tile_connecting');
    return h('figure', { class: 'tile', 'data-user': String(tile.user), 'data-state': tile.state },
      tile.state === 'joined' ? videoOf(tile.user, tile.stream) : h('div', { class: 'waiting' }),
      h('figcaption', {}, state ? `${name} · ${state}` : name));
  }

  async function render() {
    const view = calls.view;
    if (!view) {
      el.hidden = true;
      replace(el);
      videos.clear();
      shown = '';
      return;
    }
    const tiles = calls.tiles();
    const key = JSON.stringify([view.id, view.phase, view.muted, view.cameraOff, view.local ? 1 : 0,
      tiles.map((x) => [x.user, x.state, x.stream?.id ?? '', x.connected])]);
    if (key === shown) return;
    shown = key;
    const names = await ctx.members().catch(() => new Map());
    if (calls.view !== view) return;
    el.hidden = false;
    el.dataset.phase = view.phase;
    const media = view.media === 'video' ? t('call.video') : t('call.audio');
    for (const who of videos.keys()) {
      if (who !== 'local' && !tiles.some((x) => x.user === who && x.state === 'joined')) videos.delete(who);
    }
    if (view.phase === 'incoming') {
      const others = tiles.filter((x) => x.user !== view.caller).map((x) => names.get(x.user) ?? '');
      replace(el,
        h('p', { class: 'who' }, t('call.incoming', { name: names.get(view.caller) ?? '', media })),
        others.length > 0 ? h('p', { class: 'also' }, t('call.incoming_with', { names: listOf(others) })) : null,
        h('div', { class: 'row' },
          button(t('call.accept'), () => void calls.accept(), 'primary'),
          button(t('call.decline'), () => calls.reject(), 'danger')));
      return;
    }
    if (view.phase === 'ended') {
      videos.clear();
      replace(el, h('p', { class: 'who', role: 'status' }, outcomeText(view.outcome)));
      return;
    }
    const joined = tiles.filter((x) => x.state === 'joined').map((x) => names.get(x.user) ?? '');
    const rung = tiles.filter((x) => x.state === 'ringing').map((x) => names.get(x.user) ?? '');
    const shownTiles = view.phase === 'ringing' ? [] : tiles;
    const title = view.phase === 'ringing' ? t('call.ringing', { name: listOf(rung) })
      : t('call.with', { name: listOf(joined), media });
    replace(el,
      h('p', { class: 'who' }, title),
      h('div', { class: 'videos', 'data-count': String(shownTiles.length) },
        ...shownTiles.map((x) => tileOf(x, names)),
        videoOf('local', view.local)),
      h('div', { class: 'row' },
        button(view.muted ? t('call.unmute') : t('call.mute'), () => calls.toggleMute(), 'secondary'),
        view.media === 'video'
          ? button(view.cameraOff ? t('call.camera_on') : t('call.camera_off'), () => calls.toggleCamera(), 'secondary')
          : null,
        button(t('call.hang_up'), () => calls.hangUp(), 'danger')));
  }
  calls.onChange(() => void render());
  return el;
}
