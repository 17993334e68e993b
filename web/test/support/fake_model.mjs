// A stand-in for an OpenAI-compatible chat-completions API on loopback, for the browser
// tests and the bench: whole answers for `"stream": false`, server-sent chunks otherwise.
// Six ideas per answer, titled `<prefix> 1` … `<prefix> 6` (the whole answer's prefix and the
// streamed one's differ, so a test can tell which it sees). GET /calls says how many
// completions were asked for.
//
//   node fake_model.mjs --port-file FILE [--delay-ms N]   (the bench: runs until killed)
import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';

/** @param {string} prefix */
export function ideasText(prefix) {
  return JSON.stringify({
    ideas: [1, 2, 3, 4, 5, 6].map((n) => ({
      title: `${prefix} ${n}`, description: `${prefix} ${n}번째 미션을 해 보아요.`, reward: 1 + (n % 3),
    })),
  });
}

/** @param {number} ms */
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * @param {{ delayMs?: number, pieceGapMs?: number, pieces?: number,
 *           wholePrefix?: string, streamPrefix?: string }} [options]
 */
export async function startFakeModel(options = {}) {
  const { delayMs = 0, pieceGapMs = 120, pieces = 16, wholePrefix = '공룡 그리기', streamPrefix = '화석 발굴 놀이' } = options;
  /** @type {{ stream: boolean, authorization: string | undefined, body: any }[]} */
  const asked = [];
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/calls') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ calls: asked.length }));
      return;
    }
    let text = '';
    req.on('data', (chunk) => { text += chunk; });
    req.on('end', async () => {
      const body = JSON.parse(text);
      asked.push({ stream: Boolean(body.stream), authorization: req.headers.authorization, body });
      await sleep(delayMs);
      if (!body.stream) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: ideasText(wholePrefix) } }],
          usage: { total_tokens: 100 } }));
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      const answer = ideasText(streamPrefix);
      const size = Math.ceil(answer.length / pieces);
      for (let at = 0; at < answer.length; at += size) {
        await sleep(pieceGapMs);
        res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: answer.slice(at, at + size) } }] })}\n\n`);
      }
      res.end('data: [DONE]\n\n');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return { url: `http://127.0.0.1:${port}/v1`, port, asked, close: () => server.close() };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (/** @type {string} */ name) => {
    const at = process.argv.indexOf(name);
    return at < 0 ? undefined : process.argv[at + 1];
  };
  startFakeModel({ delayMs: Number(arg('--delay-ms') ?? 0) }).then((model) => {
    const file = arg('--port-file');
    if (file) writeFileSync(file, String(model.port));
  });
}
