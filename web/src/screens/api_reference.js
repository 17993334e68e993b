// The API reference for the people who build on Poki: the OpenAPI document the server serves
// (/api/v1/openapi.json), read as a page. Operations by tag with their parameters, bodies and
// answers; the event stream's events; the WebSocket's messages; every problem code; every
// schema. Everything is text from the document, put into the page as text.
import { h, replace } from '../lib/dom.js';
import { t } from '../lib/i18n.js';

/** @typedef {Record<string, any>} Schema */

const methods = ['get', 'put', 'post', 'patch', 'delete'];

/** @param {string} ref like "#/components/schemas/Mission" */
const refName = (ref) => ref.split('/').pop() ?? ref;

/** @param {string} name */
const schemaAnchor = (name) => `schema-${name}`;

/**
 * A schema as a short type: a link for a named one, `a | b` for choices, `T[]` for arrays.
 * @param {Schema | undefined} schema
 * @returns {(string | Node)[]}
 */
export function typeOf(schema) {
  if (!schema) return ['any'];
  if (schema.$ref) {
    const name = refName(schema.$ref);
    return [h('a', { href: `#${schemaAnchor(name)}` }, name)];
  }
  if (schema.const !== undefined) return [JSON.stringify(schema.const)];
  if (schema.enum) return [schema.enum.map((/** @type {unknown} */ v) => JSON.stringify(v)).join(' | ')];
  const choices = schema.oneOf ?? schema.anyOf;
  if (choices) return joined(choices.map((/** @type {Schema} */ s) => typeOf(s)), ' | ');
  if (schema.allOf) return joined(schema.allOf.map((/** @type {Schema} */ s) => typeOf(s)), ' & ');
  const types = Array.isArray(schema.type) ? schema.type : [schema.type ?? 'object'];
  return joined(types.map((/** @type {string} */ type) => {
    if (type === 'array') return [...typeOf(schema.items), '[]'];
    return [schema.format && type === 'string' ? `${type} (${schema.format})` : type];
  }), ' | ');
}

/**
 * @param {(string | Node)[][]} parts
 * @param {string} separator
 */
function joined(parts, separator) {
  return parts.flatMap((p, i) => (i === 0 ? p : [separator, ...p]));
}

/**
 * Markdown's inline code and bold, the only markup the document's texts use, as elements.
 * @param {string} text
 */
export function inline(text) {
  return text.split(/(`[^`]+`|\*\*[^*]+\*\*)/).filter(Boolean).map((part) => {
    if (part.startsWith('`')) return h('code', {}, part.slice(1, -1));
    if (part.startsWith('**')) return h('strong', {}, part.slice(2, -2));
    return part;
  });
}

/** @param {string | undefined} text */
function prose(text) {
  if (!text) return null;
  return text.trim().split(/\n\s*\n/).map((paragraph) => h('p', {}, inline(paragraph.replace(/\s*\n\s*/g, ' '))));
}

/** The limits a schema puts on a value, as text. @param {Schema} s */
function limits(s) {
  const out = [];
  if (s.minLength !== undefined || s.maxLength !== undefined) out.push(`${s.minLength ?? 0}–${s.maxLength ?? '∞'} ${t('api.chars')}`);
  if (s.minimum !== undefined || s.maximum !== undefined) out.push(`${s.minimum ?? '−∞'}–${s.maximum ?? '∞'}`);
  if (s.pattern) out.push(s.pattern);
  if (s.default !== undefined) out.push(`${t('api.default')} ${JSON.stringify(s.default)}`);
  return out.join(', ');
}

/**
 * A table of an object schema's members.
 * @param {Schema} schema
 * @param {string} caption
 */
function membersTable(schema, caption) {
  const properties = Object.entries(schema.properties ?? {});
  if (!properties.length) return h('p', {}, typeOf(schema));
  const required = new Set(schema.required ?? []);
  return h('table', {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, [t('api.name'), t('api.type'), t('api.required'), t('api.description')]
      .map((label) => h('th', { scope: 'col' }, label)))),
    h('tbody', {}, properties.map(([name, member]) => h('tr', {},
      h('th', { scope: 'row' }, h('code', {}, name)),
      h('td', {}, typeOf(member), limits(member) ? h('span', { class: 'muted' }, ` (${limits(member)})`) : null),
      h('td', {}, required.has(name) ? t('api.yes') : ''),
      h('td', {}, inline(member.description ?? ''))))));
}

/**
 * @param {any} document
 * @param {any} parameter
 */
function resolveParameter(document, parameter) {
  return parameter.$ref ? document.components.parameters[refName(parameter.$ref)] : parameter;
}

/**
 * One operation: what it takes and what it answers.
 * @param {any} document
 * @param {string} method
 * @param {string} path
 * @param {any} item the path item (its parameters apply to every operation)
 * @param {any} op
 */
function operation(document, method, path, item, op) {
  const parameters = [...(item.parameters ?? []), ...(op.parameters ?? [])].map((p) => resolveParameter(document, p));
  const body = op.requestBody?.content?.['application/json']?.schema;
  return h('section', { class: 'operation card', id: op.operationId, 'data-operation': `${method.toUpperCase()} ${path}` },
    h('h3', {}, h('span', { class: `method method-${method}` }, method.toUpperCase()), ' ', h('code', {}, path)),
    h('p', { class: 'summary' }, op.summary),
    prose(op.description),
    parameters.length ? h('table', {},
      h('caption', {}, t('api.parameters')),
      h('thead', {}, h('tr', {}, [t('api.name'), t('api.in'), t('api.type'), t('api.required'), t('api.description')]
        .map((label) => h('th', { scope: 'col' }, label)))),
      h('tbody', {}, parameters.map((p) => h('tr', {},
        h('th', { scope: 'row' }, h('code', {}, p.name)), h('td', {}, p.in), h('td', {}, typeOf(p.schema)),
        h('td', {}, p.required ? t('api.yes') : ''), h('td', {}, inline(p.description ?? '')))))) : null,
    body ? (body.properties ? membersTable(body, t('api.body')) : h('p', {}, `${t('api.body')}: `, typeOf(body))) : null,
    h('h4', {}, t('api.responses')),
    h('dl', { class: 'responses' }, Object.entries(op.responses).flatMap(([status, response]) => {
      const answer = response.$ref ? document.components.responses[refName(response.$ref)] : response;
      const contents = Object.entries(answer.content ?? {});
      return [
        h('dt', {}, h('code', {}, status)),
        h('dd', {}, inline(answer.description ?? ''), contents.map(([media, c]) =>
          h('div', { class: 'muted' }, h('code', {}, media), c.schema ? [': ', ...typeOf(c.schema)] : null))),
      ];
    })));
}

/**
 * Named messages (an event stream's events, the WebSocket's messages) and their schemas.
 * @param {Record<string, Schema>} messages
 * @param {string} caption
 */
function messagesTable(messages, caption) {
  return h('table', {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('api.name')), h('th', { scope: 'col' }, t('api.type')))),
    h('tbody', {}, Object.entries(messages).map(([name, schema]) =>
      h('tr', {}, h('th', { scope: 'row' }, h('code', {}, name)), h('td', {}, typeOf(schema))))));
}

/**
 * The whole document as sections.
 * @param {any} document
 */
export function referenceOf(document) {
  /** @type {Map<string, Node[]>} */
  const byTag = new Map((document.tags ?? []).map((/** @type {any} */ tag) => [tag.name, []]));
  for (const [path, item] of Object.entries(/** @type {Record<string, any>} */ (document.paths))) {
    for (const method of methods) {
      const op = item[method];
      if (!op) continue;
      const tag = op.tags?.[0] ?? 'other';
      if (!byTag.has(tag)) byTag.set(tag, []);
      /** @type {Node[]} */ (byTag.get(tag)).push(operation(document, method, path, item, op));
    }
  }
  const tagInfo = new Map((document.tags ?? []).map((/** @type {any} */ tag) => [tag.name, tag.description]));
  const events = document.paths['/api/v1/events']?.get?.responses?.['200']?.content?.['text/event-stream']?.['x-events'] ?? {};
  const socket = document.components['x-websocket'] ?? {};
  const codes = document.components.schemas.Problem?.properties?.code?.enum ?? [];
  const schemas = Object.entries(/** @type {Record<string, Schema>} */ (document.components.schemas));
  return [
    h('nav', { 'aria-label': t('api.contents') }, h('ul', { class: 'toc' },
      [...byTag.keys()].map((tag) => h('li', {}, h('a', { href: `#tag-${tag}` }, tag))),
      h('li', {}, h('a', { href: '#events' }, t('api.events'))),
      h('li', {}, h('a', { href: '#socket' }, t('api.socket'))),
      h('li', {}, h('a', { href: '#codes' }, t('api.codes'))),
      h('li', {}, h('a', { href: '#schemas' }, t('api.schemas'))))),
    prose(document.info.description),
    [...byTag.entries()].map(([tag, ops]) => h('section', { id: `tag-${tag}`, 'aria-labelledby': `tag-${tag}-title` },
      h('h2', { id: `tag-${tag}-title` }, tag), prose(tagInfo.get(tag)), ops)),
    h('section', { id: 'events', 'aria-labelledby': 'events-title' },
      h('h2', { id: 'events-title' }, t('api.events')), messagesTable(events, 'GET /api/v1/events')),
    h('section', { id: 'socket', 'aria-labelledby': 'socket-title' },
      h('h2', { id: 'socket-title' }, t('api.socket')),
      messagesTable(socket.server ?? {}, t('api.socket_server')),
      messagesTable(socket.client ?? {}, t('api.socket_client'))),
    h('section', { id: 'codes', 'aria-labelledby': 'codes-title' },
      h('h2', { id: 'codes-title' }, t('api.codes')),
      h('ul', { class: 'codes' }, codes.map((/** @type {string} */ code) => h('li', {}, h('code', {}, code))))),
    h('section', { id: 'schemas', 'aria-labelledby': 'schemas-title' },
      h('h2', { id: 'schemas-title' }, t('api.schemas')),
      schemas.map(([name, schema]) => h('section', { id: schemaAnchor(name), class: 'schema' },
        h('h3', {}, h('code', {}, name)), prose(schema.description), membersTable(schema, name)))),
  ];
}

/** @param {import('../app.js').Context} _ctx */
export function apiReferenceScreen(_ctx) {
  const body = h('div', { 'aria-busy': 'true' }, h('p', { class: 'muted' }, t('api.loading')));
  const el = h('section', { class: 'api-reference' },
    h('h1', {}, t('api.title')),
    h('p', {}, h('a', { href: '/api/v1/openapi.json', download: 'poki-openapi.json' }, t('api.raw'))),
    body);
  void (async () => {
    try {
      const res = await fetch('/api/v1/openapi.json');
      if (!res.ok) throw new Error(String(res.status));
      const document = await res.json();
      replace(body, h('p', { class: 'muted' }, t('api.version', { version: document.info.version })), ...referenceOf(document));
    } catch {
      replace(body, h('p', { role: 'alert' }, t('api.failed')));
    }
    body.removeAttribute('aria-busy');
  })();
  return { el };
}
