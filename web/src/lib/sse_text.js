// The text/event-stream format read from a fetch body (EventSource cannot send the
// Authorization header a one-off stream needs): bytes in any pieces, whole events out.

/** @typedef {{ event: string, data: string }} SseEvent */

export class SseParser {
  constructor() {
    this.buffer = '';
    /** @type {string} */
    this.event = '';
    /** @type {string[]} */
    this.data = [];
  }

  /**
   * The events `text` completes (it may end anywhere, even inside a line).
   * @param {string} text
   * @returns {SseEvent[]}
   */
  feed(text) {
    this.buffer += text;
    /** @type {SseEvent[]} */
    const out = [];
    let newline;
    while ((newline = this.buffer.search(/\r\n|\r|\n/)) >= 0) {
      // A CR that ends the text so far may be the first half of a CRLF: wait for more.
      if (newline === this.buffer.length - 1 && this.buffer.endsWith('\r')) break;
      const line = this.buffer.slice(0, newline);
      const width = this.buffer.startsWith('\r\n', newline) ? 2 : 1;
      this.buffer = this.buffer.slice(newline + width);
      if (line === '') {
        if (this.data.length) out.push({ event: this.event || 'message', data: this.data.join('\n') });
        this.event = '';
        this.data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const name = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (name === 'event') this.event = value;
      else if (name === 'data') this.data.push(value);
    }
    return out;
  }
}
