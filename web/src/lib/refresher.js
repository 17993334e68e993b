// Keeps a screen's data current: reloads coalesce (a burst of events loads once more, never
// twice at the same time, so an older answer cannot overwrite a newer one), and a reload the
// network refused is tried again by itself, at once when the browser is back online.
import { reconnectDelay } from './stream_cursor.js';
import { describeError } from './ui.js';

/**
 * @param {() => Promise<void>} load
 * @param {HTMLElement | null} [status] where a failure is said (and cleared once it works)
 */
export function refresher(load, status = null) {
  /** @type {ReturnType<typeof setTimeout> | null} */
  let timer = null;
  let attempt = 0;
  let disposed = false;
  let running = false;
  let again = false;
  let failed = false;

  async function run() {
    if (disposed) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    if (timer) clearTimeout(timer);
    timer = null;
    try {
      await load();
      attempt = 0;
      if (failed && status) {
        status.textContent = '';
        status.classList.remove('error');
      }
      failed = false;
    } catch (error) {
      failed = true;
      if (status) {
        status.textContent = describeError(error);
        status.classList.add('error');
      }
      if (!disposed) timer = setTimeout(() => void run(), reconnectDelay(attempt++));
    } finally {
      running = false;
    }
    if (again) {
      again = false;
      void run();
    }
  }

  const onOnline = () => {
    if (failed) void run();
  };
  window.addEventListener('online', onOnline);
  void run();
  return {
    reload: () => void run(),
    dispose() {
      disposed = true;
      if (timer) clearTimeout(timer);
      window.removeEventListener('online', onOnline);
    },
  };
}
