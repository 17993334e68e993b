// Client routes: `/chat/:id` style patterns matched against the location's path.

/**
 * The parameters of `path` under `pattern`, or null when it does not match.
 * @param {string} pattern like "/chat/:id"
 * @param {string} path like "/chat/12"
 * @returns {Record<string, string> | null}
 */
export function matchRoute(pattern, path) {
  const want = pattern.split('/').filter(Boolean);
  const have = path.split('/').filter(Boolean);
  if (want.length !== have.length) return null;
  /** @type {Record<string, string>} */
  const params = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) {
      let value;
      try {
        value = decodeURIComponent(have[i]);
      } catch {
        return null;
      }
      params[want[i].slice(1)] = value;
    } else if (want[i] !== have[i]) {
      return null;
    }
  }
  return params;
}

/**
 * The first route whose pattern matches.
 * @template T
 * @param {{ pattern: string, value: T }[]} table
 * @param {string} path
 * @returns {{ value: T, params: Record<string, string> } | null}
 */
export function findRoute(table, path) {
  for (const { pattern, value } of table) {
    const params = matchRoute(pattern, path);
    if (params) return { value, params };
  }
  return null;
}
