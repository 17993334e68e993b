// A family video call: pick one to three of the others (those online are picked already) and
// ring them all at once; whoever answers is in, and the call goes on while two are.
import { h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { describeError, statusRegion } from '../lib/ui.js';

/** The most a call rings: four parties with the caller. */
const maxCallees = 3;

/**
 * @param {import('../app.js').Context} ctx
 * @param {{ id: number, display_name: string }[]} others the family but me
 * @returns {HTMLElement}
 */
export function groupCallForm(ctx, others) {
  const status = statusRegion();
  const boxes = others.map((m) => {
    const box = /** @type {HTMLInputElement} */ (h('input', { type: 'checkbox' }));
    return { id: m.id, box, label: h('label', {}, box, m.display_name) };
  });
  const form = /** @type {HTMLFormElement} */ (h('form', { class: 'group-call', hidden: true },
    h('fieldset', {}, h('legend', {}, t('call.group_pick')), ...boxes.map((b) => b.label)),
    h('button', { type: 'submit', class: 'primary' }, t('call.group_start')), status));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const to = boxes.filter((b) => b.box.checked).map((b) => b.id);
    const fits = to.length >= 1 && to.length <= maxCallees;
    status.textContent = fits ? '' : t('call.group_limit');
    status.classList.toggle('error', !fits);
    if (!fits) return;
    ctx.calls.call(to, 'video').catch((error) => {
      status.textContent = describeError(error); // no camera, or it was refused
      status.classList.add('error');
    });
  });
  const open = h('button', { type: 'button', class: 'secondary', 'aria-expanded': 'false' }, t('call.group'));
  open.addEventListener('click', () => {
    if (form.hidden) {
      // Who is online now, unless that is more than one call can ring.
      const online = boxes.filter((b) => ctx.socket.isOnline(b.id));
      for (const b of boxes) b.box.checked = online.length <= maxCallees && online.includes(b);
    }
    form.hidden = !form.hidden;
    open.setAttribute('aria-expanded', String(!form.hidden));
  });
  return h('div', { class: 'group-call-area' }, open, form);
}
