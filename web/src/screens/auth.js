// Signing in: a parent by email, a child by login name; signing up a family; joining one.
import { h } from '../lib/dom.js';
import { t } from '../lib/i18n.js';
import { field, input, onSubmit, statusRegion } from '../lib/ui.js';

/** @typedef {import('../app.js').Context} Context */

/** @param {Context} ctx */
export function loginScreen(ctx) {
  const status = statusRegion();
  const who = h('select', { name: 'who' },
    h('option', { value: 'email' }, t('auth.as_parent')),
    h('option', { value: 'login' }, t('auth.as_child')));
  const identity = h('input', { name: 'identity', autocomplete: 'username', required: true });
  const identityField = field('auth.email', identity);
  const label = /** @type {HTMLLabelElement} */ (identityField.querySelector('label'));
  who.addEventListener('change', () => {
    label.textContent = t(who.value === 'email' ? 'auth.email' : 'auth.login');
    identity.setAttribute('type', who.value === 'email' ? 'email' : 'text');
  });
  identity.setAttribute('type', 'email');
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const form = /** @type {HTMLFormElement} */ (h('form', { class: 'card narrow', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, t('auth.login_title')),
    field('auth.who', who),
    identityField,
    field('auth.password', password),
    h('button', { type: 'submit', class: 'primary' }, t('auth.login_button')),
    status,
    h('p', {}, h('a', { href: '/signup' }, t('auth.to_signup')), ' · ', h('a', { href: '/join' }, t('auth.to_join')))));
  onSubmit(form, status, async () => {
    const body = { [who.value]: /** @type {HTMLInputElement} */ (identity).value.trim(),
      password: /** @type {HTMLInputElement} */ (password).value };
    await ctx.api.signIn('login', body);
    ctx.navigate('/');
  });
  return { el: form };
}

/** @param {Context} ctx */
export function signupScreen(ctx) {
  const status = statusRegion();
  const form = /** @type {HTMLFormElement} */ (h('form', { class: 'card narrow', 'aria-labelledby': 'signup-title' },
    h('h1', { id: 'signup-title' }, t('auth.signup_title')),
    input('field.display_name', { name: 'display_name', required: true, maxlength: 40, autocomplete: 'nickname' }),
    input('field.email', { name: 'email', type: 'email', required: true, autocomplete: 'email' }),
    field('field.password', h('input', { name: 'password', type: 'password', required: true, minlength: 8, autocomplete: 'new-password' }), 'auth.password_hint'),
    input('field.family_name', { name: 'family_name', maxlength: 60 }),
    h('button', { type: 'submit', class: 'primary' }, t('auth.signup_button')),
    status,
    h('p', {}, h('a', { href: '/login' }, t('auth.to_login')))));
  onSubmit(form, status, async () => {
    const data = new FormData(form);
    /** @type {Record<string, string>} */
    const body = {};
    for (const name of ['display_name', 'email', 'password', 'family_name']) {
      const value = String(data.get(name) ?? '');
      if (value !== '' || name !== 'family_name') body[name] = name === 'password' ? value : value.trim();
    }
    await ctx.api.signIn('signup', body);
    ctx.navigate('/family');
  });
  return { el: form };
}

/** @param {Context} ctx */
export function joinScreen(ctx) {
  const status = statusRegion();
  const code = new URLSearchParams(location.search).get('code') ?? '';
  const form = /** @type {HTMLFormElement} */ (h('form', { class: 'card narrow', 'aria-labelledby': 'join-title' },
    h('h1', { id: 'join-title' }, t('auth.join_title')),
    field('field.code', h('input', { name: 'code', required: true, value: code, autocomplete: 'one-time-code', autocapitalize: 'characters' }), 'auth.code_hint'),
    input('field.display_name', { name: 'display_name', required: true, maxlength: 40 }),
    input('field.login', { name: 'login', required: true, maxlength: 40, autocomplete: 'username' }),
    field('field.password', h('input', { name: 'password', type: 'password', required: true, minlength: 8, autocomplete: 'new-password' }), 'auth.password_hint'),
    field('field.email', h('input', { name: 'email', type: 'email', autocomplete: 'email' }), 'auth.email_parent_hint'),
    h('button', { type: 'submit', class: 'primary' }, t('auth.join_button')),
    status,
    h('p', {}, h('a', { href: '/login' }, t('auth.to_login')))));
  onSubmit(form, status, async () => {
    const data = new FormData(form);
    /** @type {Record<string, string>} */
    const body = {
      code: String(data.get('code') ?? '').trim().toUpperCase(),
      display_name: String(data.get('display_name') ?? '').trim(),
      login: String(data.get('login') ?? '').trim(),
      password: String(data.get('password') ?? ''),
    };
    const email = String(data.get('email') ?? '').trim();
    if (email) body.email = email;
    await ctx.api.signIn('join', body);
    ctx.navigate('/');
  });
  return { el: form };
}
