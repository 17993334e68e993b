// The call on top of whatever screen is open: an incoming call rings with answer and decline,
// an outgoing one says whom it rings, a call in progress shows both videos with mute, camera
// and hang-up, and an ended one says how it ended for a moment.
import { h, replace } from '../lib/dom.js';
import { t } from '../lib/i18n.js';

/** @typedef {import('../app.js').Context} Context */

/** How a call ended, in the app's words. @param {string | undefined} outcome */
function outcomeText(outcome) {
  switch (outcome) {
    case 'rejected': return t('call.outcome_rejected');
    case 'missed': return t('call.outcome_missed');
    case 'busy': return t('call.outcome_busy');
    case 'cancelled': return t('call.outcome_cancelled');
    case 'connection_lost': return t('call.outcome_connection_lost');
    case 'failed_media': return t('call.outcome_failed');
    default: return t('call.outcome_ended');
  }
}

/** @param {string} text @param {() => void} action @param {string} kind */
function button(text, action, kind) {
  const b = h('button', { type: 'button', class: kind }, text);
  b.addEventListener('click', action);
  return b;
}

/** @param {MediaStream | null} stream @param {string} cls @param {boolean} muted */
function video(stream, cls, muted) {
  const el = /** @type {HTMLVideoElement} */ (h('video', { class: cls, autoplay: true, playsinline: true }));
  el.muted = muted;
  el.srcObject = stream;
  return el;
}

/** @param {Context} ctx @returns {HTMLElement} */
export function callOverlay(ctx) {
  const calls = ctx.calls;
  const el = h('section', { class: 'call', hidden: true, 'aria-live': 'assertive', 'data-testid': 'call' });
  /** @type {string} */
  let shown = '';

  async function render() {
    const view = calls.view;
    if (!view) {
      el.hidden = true;
      replace(el);
      shown = '';
      return;
    }
    const key = `${view.id}:${view.phase}:${view.muted}:${view.cameraOff}:${view.remote ? 1 : 0}`;
    if (key === shown) return;
    shown = key;
    const names = await ctx.members().catch(() => new Map());
    const name = names.get(view.peer) ?? '';
    el.hidden = false;
    el.dataset.phase = view.phase;
    const media = view.media === 'video' ? t('call.video') : t('call.audio');
    if (view.phase === 'incoming') {
      replace(el,
        h('p', { class: 'who' }, t('call.incoming', { name, media })),
        h('div', { class: 'row' },
          button(t('call.accept'), () => void calls.accept(), 'primary'),
          button(t('call.decline'), () => calls.reject(), 'danger')));
      return;
    }
    if (view.phase === 'ended') {
      replace(el, h('p', { class: 'who', role: 'status' }, outcomeText(view.outcome)));
      return;
    }
    const title = view.phase === 'ringing' ? t('call.ringing', { name }) : t('call.with', { name, media });
    replace(el,
      h('p', { class: 'who' }, title),
      h('div', { class: 'videos' },
        video(view.remote, 'remote', false),
        video(view.local, 'local', true)),
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
