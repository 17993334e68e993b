// The app shell: the session, the live stream, the navigation and the screen in between.
import { h, replace } from './lib/dom.js';
import { t, locale, setLocale } from './lib/i18n.js';
import { Api } from './lib/api.js';
import { LiveEvents } from './lib/live.js';
import { LiveSocket } from './lib/socket.js';
import { CallManager } from './lib/call.js';
import { callOverlay } from './screens/call.js';
import { findRoute } from './lib/routes.js';
import { loginScreen, signupScreen, joinScreen } from './screens/auth.js';
import { familyScreen } from './screens/family.js';
import { homeScreen } from './screens/home.js';
import { missionsScreen } from './screens/missions.js';
import { roomsScreen, roomScreen } from './screens/chat.js';
import { bell, notificationsScreen } from './screens/notifications.js';
import { childScreen } from './screens/child.js';
import { giftsScreen } from './screens/gifts.js';
import { calendarScreen } from './screens/calendar.js';
import { apiReferenceScreen } from './screens/api_reference.js';

/**
 * What every screen gets.
 * @typedef {{
 *   api: Api,
 *   live: LiveEvents,
 *   socket: LiveSocket,
 *   calls: CallManager,
 *   navigate: (path: string) => void,
 *   children: () => Promise<Map<number, string>>,
 *   members: () => Promise<Map<number, string>>,
 *   refreshBell: () => void,
 * }} Context
 * @typedef {{ el: HTMLElement, dispose?: () => void }} Screen
 * @typedef {(ctx: Context, params: Record<string, string>) => Screen} ScreenFactory
 */

/**
 * `signedIn`: the screen is for members (true), for visitors (false), or for anyone (null).
 * @type {{ pattern: string, value: { screen: ScreenFactory, signedIn: boolean | null, title: import('./lib/i18n.js').MessageKey } }[]}
 */
const routes = [
  { pattern: '/', value: { screen: homeScreen, signedIn: true, title: 'nav.home' } },
  { pattern: '/missions', value: { screen: missionsScreen, signedIn: true, title: 'nav.missions' } },
  { pattern: '/family', value: { screen: familyScreen, signedIn: true, title: 'nav.family' } },
  { pattern: '/chat', value: { screen: roomsScreen, signedIn: true, title: 'nav.chat' } },
  { pattern: '/chat/:id', value: { screen: roomScreen, signedIn: true, title: 'nav.chat' } },
  { pattern: '/children/:id', value: { screen: childScreen, signedIn: true, title: 'child.title' } },
  { pattern: '/gifts', value: { screen: giftsScreen, signedIn: true, title: 'nav.gifts' } },
  { pattern: '/calendar', value: { screen: calendarScreen, signedIn: true, title: 'nav.calendar' } },
  { pattern: '/notifications', value: { screen: notificationsScreen, signedIn: true, title: 'notice.title' } },
  { pattern: '/login', value: { screen: loginScreen, signedIn: false, title: 'auth.login_title' } },
  { pattern: '/signup', value: { screen: signupScreen, signedIn: false, title: 'auth.signup_title' } },
  { pattern: '/join', value: { screen: joinScreen, signedIn: false, title: 'auth.join_title' } },
  { pattern: '/api-reference', value: { screen: apiReferenceScreen, signedIn: null, title: 'nav.api' } },
];

/**
 * The header's links; a child also has their wishlist.
 * @param {import('./lib/api.js').User} user
 * @returns {[string, import('./lib/i18n.js').MessageKey][]}
 */
function navigation(user) {
  return [
    ['/', 'nav.home'],
    ['/missions', 'nav.missions'],
    ['/calendar', 'nav.calendar'],
    ['/chat', 'nav.chat'],
    ['/gifts', 'nav.gifts'],
    ...(user.role === 'child' ? [/** @type {[string, import('./lib/i18n.js').MessageKey]} */ ([`/children/${user.id}`, 'nav.wishlist'])] : []),
    ['/family', 'nav.family'],
  ];
}

export class App {
  /** @param {HTMLElement} root */
  constructor(root) {
    this.root = root;
    this.api = new Api();
    this.live = new LiveEvents(this.api);
    this.socket = new LiveSocket(this.api);
    this.calls = new CallManager(this.socket, this.api);
    /** @type {Screen | null} */
    this.screen = null;
    this.main = h('main', { id: 'main', tabindex: '-1' });
    this.header = h('header', { class: 'top' });
    this.liveStatus = h('span', { class: 'live-status', role: 'status', 'data-testid': 'live-status' });
    /** @type {Promise<any> | null} */
    this.family = null;
    this.started = false;
    /** @type {ReturnType<typeof bell> | null} */
    this.bell = null;
    /** @type {string | null} */
    this.bellLocale = null;
    /** @type {HTMLElement} */
    this.chatBadge = h('span', { class: 'unread', 'data-testid': 'chat-unread', hidden: true });
    /** @type {Context} */
    this.ctx = {
      api: this.api,
      live: this.live,
      socket: this.socket,
      calls: this.calls,
      navigate: (path) => this.navigate(path),
      children: () => this.children(),
      members: () => this.members(),
      refreshBell: () => this.bell?.refresh(),
    };
    this.live.onStatus((connected) => {
      this.liveStatus.textContent = connected ? '' : t('live.reconnecting');
      this.liveStatus.dataset.connected = String(connected);
    });
    this.live.subscribe((e) => {
      if (e.type.startsWith('family.') || e.type === 'reset') this.family = null;
      if (e.type.startsWith('chat.') || e.type === 'reset') void this.countUnreadChat();
    });
    this.api.onSession((user) => {
      this.family = null;
      if (user) {
        this.live.start();
        this.socket.start();
        void this.countUnreadChat();
      } else {
        this.live.stop();
        this.socket.stop();
        this.calls.reset();
        this.liveStatus.textContent = '';
        // Signed out here, elsewhere ("log out" in another tab) or removed from the family:
        // a signed-in screen must not stay up with stale data.
        if (this.started) this.render();
      }
    });
  }

  async start() {
    this.started = false;
    replace(this.root,
      h('a', { class: 'skip', href: '#main' }, t('nav.skip')),
      this.header, this.main, this.footer(), callOverlay(this.ctx));
    document.addEventListener('click', (event) => this.followLink(event));
    window.addEventListener('popstate', () => this.render());
    try {
      await this.api.renew();
    } catch {
      // offline or the server is down: the sign-in screen says so when used
    }
    this.started = true;
    this.render();
  }

  /** For the people who build on Poki: the API reference, from every screen. */
  footer() {
    return h('footer', { class: 'bottom' }, h('a', { href: '/api-reference' }, t('nav.api')));
  }

  /** The family, asked once until a member joins or leaves. */
  loadFamily() {
    if (!this.family) this.family = this.api.get('/family').catch((e) => { this.family = null; throw e; });
    return this.family;
  }

  /** The family's children by id, for mission forms and parents' boards. */
  async children() {
    const family = await this.loadFamily();
    return new Map(family.members.filter((/** @type {any} */ m) => m.role === 'child')
      .map((/** @type {any} */ m) => [m.id, m.display_name]));
  }

  /** Every member's name by id, for chat. */
  async members() {
    const family = await this.loadFamily();
    return new Map(family.members.map((/** @type {any} */ m) => [m.id, m.display_name]));
  }

  /** The unread messages of every room, for the badge on the chat link. */
  async countUnreadChat() {
    try {
      const rooms = await this.api.get('/chat/rooms?limit=200');
      const unread = rooms.items.reduce((/** @type {number} */ sum, /** @type {any} */ r) => sum + r.unread, 0);
      this.chatBadge.textContent = String(unread);
      this.chatBadge.hidden = unread === 0;
      this.chatBadge.setAttribute('aria-label', t('chat.unread_n', { n: unread }));
    } catch {
      // the badge waits for the next change
    }
  }

  /** @param {MouseEvent} event */
  followLink(event) {
    const link = /** @type {HTMLElement | null} */ (event.target instanceof Element ? event.target.closest('a[href]') : null);
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    const url = new URL(/** @type {HTMLAnchorElement} */ (link).href);
    if (url.origin !== location.origin || link.hasAttribute('download') || link.getAttribute('target')) return;
    if (url.pathname === location.pathname && url.hash) return;
    event.preventDefault();
    this.navigate(url.pathname + url.search);
  }

  /** @param {string} path */
  navigate(path) {
    if (path !== location.pathname + location.search) history.pushState(null, '', path);
    this.render();
  }

  render() {
    const found = findRoute(routes, location.pathname);
    const signedIn = this.api.user !== null;
    if (!found) {
      this.show({ el: h('section', {}, h('h1', {}, t('nav.not_found')), h('a', { href: '/' }, t('nav.home'))) }, 'nav.not_found');
      return;
    }
    if (found.value.signedIn === true && !signedIn) {
      history.replaceState(null, '', '/login');
      this.render();
      return;
    }
    if (found.value.signedIn === false && signedIn) {
      history.replaceState(null, '', '/');
      this.render();
      return;
    }
    this.show(found.value.screen(this.ctx, found.params), found.value.title);
  }

  /**
   * @param {Screen} screen
   * @param {import('./lib/i18n.js').MessageKey} title
   */
  show(screen, title) {
    this.screen?.dispose?.();
    this.screen = screen;
    this.renderHeader();
    replace(this.main, screen.el);
    document.title = `${t(title)} · ${t('app.name')}`;
  }

  renderHeader() {
    const user = this.api.user;
    const language = h('button', { type: 'button', class: 'link', lang: locale() === 'ko' ? 'en' : 'ko' },
      locale() === 'ko' ? 'English' : '한국어');
    language.addEventListener('click', () => {
      setLocale(locale() === 'ko' ? 'en' : 'ko');
      this.render();
    });
    const nav = user
      ? h('nav', { 'aria-label': t('nav.label') }, h('ul', {}, navigation(user).map(([path, key]) =>
        h('li', {}, h('a', { href: path, 'aria-current': location.pathname === path ? 'page' : false }, t(key),
          path === '/chat' ? this.chatBadge : null)))))
      : null;
    // One bell per session and language: a navigation keeps it (and its count) as it is.
    if (!user || this.bellLocale !== locale()) {
      this.bell?.dispose();
      this.bell = null;
    }
    if (user && !this.bell) {
      this.bell = bell(this.ctx);
      this.bellLocale = locale();
    }
    const signOut = user ? h('button', { type: 'button', class: 'link' }, t('auth.logout')) : null;
    signOut?.addEventListener('click', async () => {
      try {
        await this.api.signOut();
      } finally {
        this.navigate('/login');
      }
    });
    replace(this.header,
      h('a', { href: '/', class: 'brand' }, t('app.name')),
      nav,
      h('div', { class: 'tools' }, this.liveStatus, this.bell?.el ?? null,
        user ? h('span', { class: 'who' }, user.display_name) : null, language, signOut));
  }
}
