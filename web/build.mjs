// Builds the web app into one folder the server serves from memory:
//   index.html (no-cache), assets/app-<hash>.js|css (immutable), manifest.webmanifest, icons/,
//   and .gz/.br variants of what compresses. usage: node build.mjs --out DIR
import { build } from 'esbuild';
import { mkdir, readFile, rm, writeFile, readdir, rename } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { encodePng, grapeIcon } from './tools/icons.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const outArg = process.argv.indexOf('--out');
if (outArg < 0 || !process.argv[outArg + 1]) {
  console.error('usage: node build.mjs --out DIR');
  process.exit(2);
}
const out = process.argv[outArg + 1];
// Built beside the target and moved into place, so a running server never sees half a build.
const staging = `${out}.staging`;
await rm(staging, { recursive: true, force: true });
await mkdir(join(staging, 'icons'), { recursive: true });

const result = await build({
  entryPoints: { app: join(here, 'src/main.js') },
  bundle: true,
  format: 'esm',
  target: ['es2022'],
  minify: true,
  outdir: join(staging, 'assets'),
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});

/** @param {string} ext */
const output = (ext) => {
  const file = Object.keys(result.metafile.outputs).find((f) => f.endsWith(ext));
  if (!file) throw new Error(`esbuild wrote no ${ext} file`);
  return `/${relative(staging, file).split('\\').join('/')}`;
};
const html = (await readFile(join(here, 'src/index.html'), 'utf8'))
  .replace('%APP_JS%', output('.js'))
  .replace('%APP_CSS%', output('.css'));
await writeFile(join(staging, 'index.html'), html);

const manifest = {
  name: '포키 Poki',
  short_name: '포키',
  description: '부모와 아이를 가깝게',
  lang: 'ko',
  start_url: '/',
  scope: '/',
  display: 'standalone',
  background_color: '#f5f1fb',
  theme_color: '#6b3fb8',
  icons: [
    { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
    { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
    { src: '/icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
    { src: '/icons/icon.svg', sizes: 'any', type: 'image/svg+xml' },
  ],
};
await writeFile(join(staging, 'manifest.webmanifest'), JSON.stringify(manifest, null, 2));
await writeFile(join(staging, 'icons/icon-192.png'), encodePng(192, 192, grapeIcon(192, 0.12)));
await writeFile(join(staging, 'icons/icon-512.png'), encodePng(512, 512, grapeIcon(512, 0.12)));
await writeFile(join(staging, 'icons/icon-maskable-512.png'), encodePng(512, 512, grapeIcon(512, 0.22)));
await writeFile(join(staging, 'icons/icon.svg'), await readFile(join(here, 'src/icon.svg')));

/** @param {string} dir @returns {Promise<string[]>} */
async function files(dir) {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(entries.map((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : Promise.resolve([join(dir, e.name)])));
  return nested.flat();
}
const compressible = /\.(html|js|css|svg|webmanifest|json)$/;
let total = 0;
for (const file of await files(staging)) {
  if (!compressible.test(file)) continue;
  const bytes = await readFile(file);
  const gz = gzipSync(bytes, { level: 9 });
  const br = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });
  if (gz.length < bytes.length * 0.9) await writeFile(`${file}.gz`, gz);
  if (br.length < bytes.length * 0.9) await writeFile(`${file}.br`, br);
  total += Math.min(bytes.length, gz.length, br.length);
}
await rm(out, { recursive: true, force: true });
await rename(staging, out);
console.log(`web app built in ${out}: ${(total / 1024).toFixed(1)} KiB compressed (html, js, css, manifest, svg)`);
