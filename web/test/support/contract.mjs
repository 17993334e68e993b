// The API contract in the browser tests: every answer a page gets from the API is checked
// against the document the server serves (/api/v1/openapi.json), as the C++ e2e tests check
// theirs (tests/support/api_contract.cpp): its path, method, status, media type and body.
import Ajv2020 from 'ajv/dist/2020.js';

const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** @param {string} path */
const isApiPath = (path) =>
  path.startsWith('/api/') || ['/healthz', '/readyz', '/metrics'].includes(path) || path.startsWith('/ical/');

/** @param {string} text a JSON pointer segment */
const pointer = (text) => text.replace(/~/g, '~0').replace(/\//g, '~1');

export class ContractChecker {
  /** @param {any} document the OpenAPI 3.1 document */
  constructor(document) {
    this.document = document;
    // The document's own keywords (description, examples, x-…) are not JSON Schema's.
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    this.ajv.addFormat('date-time', rfc3339);
    this.ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
    for (const loose of ['email', 'uuid', 'uri']) this.ajv.addFormat(loose, true);
    this.ajv.addSchema(document, 'api');
    /** @type {Map<string, import('ajv').ValidateFunction>} */
    this.compiled = new Map();
  }

  /** @param {string} server the server's origin */
  static async load(server) {
    const res = await fetch(`${server}/api/v1/openapi.json`);
    if (!res.ok) throw new Error(`no API document: ${res.status}`);
    return new ContractChecker(await res.json());
  }

  /**
   * The document's template for a request path: the one with the most literal segments.
   * @param {string} path
   */
  templateOf(path) {
    const parts = path.split('/');
    let best = '';
    let bestLiterals = -1;
    for (const candidate of Object.keys(this.document.paths)) {
      const pattern = candidate.split('/');
      if (pattern.length !== parts.length) continue;
      let literals = 0;
      const fits = pattern.every((p, i) => {
        if (p.startsWith('{') && p.endsWith('}')) return parts[i] !== '';
        literals += 1;
        return p === parts[i];
      });
      if (fits && literals > bestLiterals) {
        best = candidate;
        bestLiterals = literals;
      }
    }
    return best;
  }

  /**
   * @param {string} at a JSON pointer into the document
   * @param {unknown} value
   */
  validate(at, value) {
    let check = this.compiled.get(at);
    if (!check) {
      check = this.ajv.compile({ $ref: `api#${at}` });
      this.compiled.set(at, check);
    }
    return check(value) ? [] : (check.errors ?? []).map((e) => `${e.instancePath || '$'} ${e.message}`);
  }

  /**
   * The ways one answer breaks the document; empty when it keeps it.
   * @param {{ method: string, url: string, status: number, contentType: string, body: string | null }} answer
   * @returns {string[]}
   */
  check({ method, url, status, contentType, body }) {
    const path = new URL(url).pathname;
    if (!isApiPath(path) || (method === 'OPTIONS' && status === 204)) return [];
    const template = this.templateOf(path);
    const verb = method.toLowerCase();
    const item = template ? this.document.paths[template] : null;
    const operationName = item && (item[verb] ? verb : verb === 'head' && item.get ? 'get' : null);
    const media = contentType.split(';')[0].trim().toLowerCase();
    if (!operationName) {
      const refused = [400, 401, 404, 405].includes(status) && media === 'application/problem+json';
      return refused ? [] : [`undocumented: ${method} ${path} answered ${status}`];
    }
    const name = `${method} ${template} → ${status}: `;
    const responses = item[operationName].responses;
    const key = [String(status), `${Math.floor(status / 100)}XX`, 'default'].find((k) => k in responses);
    if (!key) return [`${name}the status is not documented`];
    let at = `/paths/${pointer(template)}/${operationName}/responses/${key}`;
    let response = responses[key];
    if (response.$ref) {
      at = response.$ref.slice(1);
      response = this.document.components.responses[response.$ref.split('/').pop()];
    }
    if (!response.content) {
      return body && method !== 'HEAD' ? [`${name}a body where the document says there is none`] : [];
    }
    if (!(media in response.content)) return [`${name}media type "${media}" is not documented`];
    const json = media === 'application/json' || media.endsWith('+json');
    if (!json || body === null || method === 'HEAD' || !response.content[media].schema) return [];
    let value;
    try {
      value = JSON.parse(body);
    } catch {
      return [`${name}the body is not JSON`];
    }
    return this.validate(`${at}/content/${pointer(media)}/schema`, value).map((p) => name + p);
  }
}
