// Small building blocks every screen uses: labelled fields, buttons, the error region.
import { h } from './dom.js';
import { t, problemKey, fieldProblemKey } from './i18n.js';
import { ApiError, NetworkError } from './api.js';

/** @typedef {import('./i18n.js').MessageKey} MessageKey */

/**
 * A labelled control: the label's text is the catalogue's, the input is the caller's.
 * @param {MessageKey} label
 * @param {HTMLElement} control
 * @param {MessageKey} [hint]
 */
export function field(label, control, hint) {
  const id = control.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  control.id = id;
  const parts = [h('label', { for: id }, t(label)), control];
  if (hint) {
    const hintId = `${id}-hint`;
    control.setAttribute('aria-describedby', hintId);
    parts.push(h('small', { id: hintId, class: 'hint' }, t(hint)));
  }
  return h('div', { class: 'field' }, ...parts);
}

/**
 * @param {MessageKey} label
 * @param {Record<string, unknown>} [attrs]
 */
export function input(label, attrs = {}) {
  return field(label, h('input', attrs));
}

/**
 * What went wrong, in the user's language.
 * @param {unknown} error
 * @returns {string}
 */
export function describeError(error) {
  if (error instanceof ApiError) {
    const base = t(problemKey(error.code, error.category));
    const fields = error.errors.map((e) =>
      `${fieldLabel(e.field)}: ${t(fieldProblemKey(e.code), e.params ?? {})}`);
    return fields.length ? `${base} ${[...new Set(fields)].join(' · ')}` : base;
  }
  if (error instanceof NetworkError) return t('problem.network');
  return t('problem.unknown');
}

/**
 * The label of a request field a problem names ("display_name" → "이름").
 * @param {string} name
 */
export function fieldLabel(name) {
  const key = /** @type {MessageKey} */ (`field.${name}`);
  const text = t(key);
  return text === key ? name : text;
}

/** A live region for a form's errors and confirmations. */
export function statusRegion() {
  return h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
}

/**
 * Runs `action` for a form submit, disabling its buttons meanwhile and showing what failed.
 * @param {HTMLFormElement} form
 * @param {HTMLElement} status
 * @param {() => Promise<void>} action
 */
export function onSubmit(form, status, action) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const buttons = form.querySelectorAll('button');
    buttons.forEach((b) => { b.disabled = true; });
    status.textContent = '';
    status.classList.remove('error');
    try {
      await action();
    } catch (error) {
      status.textContent = describeError(error);
      status.classList.add('error');
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  });
}

/**
 * A button that runs `action`, disabled while it runs; failures go to `status`.
 * @param {string} text
 * @param {() => Promise<void> | void} action
 * @param {{ status?: HTMLElement, kind?: string, label?: string }} [options]
 */
export function actionButton(text, action, options = {}) {
  const button = h('button', { type: 'button', class: options.kind ?? 'secondary', 'aria-label': options.label });
  button.textContent = text;
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await action();
    } catch (error) {
      if (options.status) {
        options.status.textContent = describeError(error);
        options.status.classList.add('error');
      }
    } finally {
      button.disabled = false;
    }
  });
  return button;
}
