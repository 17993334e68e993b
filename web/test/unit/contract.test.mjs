// The browser tests' contract checker catches each way an answer can break the document (so
// a browser test that passes its answers through it can fail), and the real document, as
// the build writes it, compiles for it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ContractChecker } from '../support/contract.mjs';

const document = {
  openapi: '3.1.0',
  paths: {
    '/api/v1/things/{id}': {
      get: {
        responses: {
          200: { description: '', content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } },
          204: { description: '' },
          '4XX': { $ref: '#/components/responses/Problem' },
        },
      },
    },
  },
  components: {
    responses: {
      Problem: { description: '', content: { 'application/problem+json': { schema: { type: 'object', required: ['code'] } } } },
    },
    schemas: {
      Thing: {
        type: 'object',
        required: ['id', 'kind', 'when'],
        properties: {
          id: { type: 'integer', minimum: 1 },
          kind: { type: 'string', enum: ['a', 'b'] },
          when: { type: 'string', format: 'date-time' },
          note: { type: ['string', 'null'] },
        },
      },
    },
  },
};

const checker = new ContractChecker(document);
const url = (/** @type {string} */ path) => `http://127.0.0.1:1${path}`;
/** @param {string} method @param {string} path @param {number} status @param {string} contentType @param {string | null} body */
const problems = (method, path, status, contentType, body) =>
  checker.check({ method, url: url(path), status, contentType, body });
const thing = JSON.stringify({ id: 1, kind: 'a', when: '2026-12-07T10:00:00Z', note: null });

test('answers that keep the document pass', () => {
  assert.deepEqual(problems('GET', '/api/v1/things/3?x=1', 200, 'application/json', thing), []);
  assert.deepEqual(problems('GET', '/api/v1/things/3', 204, '', ''), []);
  assert.deepEqual(problems('GET', '/api/v1/things/3', 404, 'application/problem+json', '{"code":"not_found"}'), []);
  assert.deepEqual(problems('GET', '/api/v1/nothing', 404, 'application/problem+json', '{}'), []);
  assert.deepEqual(problems('GET', '/calendar', 200, 'text/html', '<!doctype html>'), []);
  assert.deepEqual(problems('OPTIONS', '/api/v1/things/3', 204, '', ''), []);
});

test('each way of breaking the document is caught', () => {
  const broken = [
    ['a missing member', 'GET', '/api/v1/things/3', 200, 'application/json', JSON.stringify({ id: 1, kind: 'a' })],
    ['a value outside the enum', 'GET', '/api/v1/things/3', 200, 'application/json', thing.replace('"a"', '"c"')],
    ['not a date-time', 'GET', '/api/v1/things/3', 200, 'application/json', thing.replace('2026-12-07T10:00:00Z', 'today')],
    ['a wrong type', 'GET', '/api/v1/things/3', 200, 'application/json', thing.replace('"id":1', '"id":"1"')],
    ['an undocumented status', 'GET', '/api/v1/things/3', 500, 'application/problem+json', '{}'],
    ['an undocumented media type', 'GET', '/api/v1/things/3', 200, 'text/plain', 'thing'],
    ['not JSON', 'GET', '/api/v1/things/3', 200, 'application/json', '{'],
    ['a body where none is documented', 'GET', '/api/v1/things/3', 204, '', 'something'],
    ['a problem without its code', 'GET', '/api/v1/things/3', 404, 'application/problem+json', '{}'],
    ['an undocumented path that answers', 'GET', '/api/v1/nothing', 200, 'application/json', '{}'],
    ['an undocumented method that answers', 'POST', '/api/v1/things/3', 201, 'application/json', '{}'],
  ];
  for (const [what, method, path, status, contentType, body] of broken) {
    assert.notDeepEqual(problems(String(method), String(path), Number(status), String(contentType), String(body)), [], String(what));
  }
});

test('the built API document compiles for the checker', { skip: !process.env.TEST_POKI_OPENAPI && 'TEST_POKI_OPENAPI is not set' }, () => {
  const built = JSON.parse(readFileSync(/** @type {string} */ (process.env.TEST_POKI_OPENAPI), 'utf8'));
  const real = new ContractChecker(built);
  const me = { id: 1, family_id: 2, role: 'parent', display_name: '엄마', avatar_color: '#E76F51', email: 'm@example.com', login: null, family: { id: 2, name: '포키네' } };
  assert.deepEqual(real.check({ method: 'GET', url: url('/api/v1/me'), status: 200, contentType: 'application/json', body: JSON.stringify(me) }), []);
  assert.notDeepEqual(real.check({ method: 'GET', url: url('/api/v1/me'), status: 200, contentType: 'application/json', body: JSON.stringify({ ...me, role: 'grandma' }) }), []);
});
