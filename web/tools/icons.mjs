// The app's icons, drawn here and written as PNG, so the build needs no image tools.
import { deflateSync } from 'node:zlib';

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** @param {Buffer} bytes */
function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** @param {string} type @param {Buffer} data */
function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * An RGBA image as a PNG file.
 * @param {number} width @param {number} height @param {Uint8Array} rgba
 */
export function encodePng(width, height, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  const rows = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    rows[y * (width * 4 + 1)] = 0; // no filter
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(rows, y * (width * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * A bunch of six grapes and a leaf on the app's purple, `padding` of the size left clear
 * (maskable icons need a wider safe zone).
 * @param {number} size @param {number} padding
 */
export function grapeIcon(size, padding) {
  const px = new Uint8Array(size * size * 4);
  const s = size * (1 - 2 * padding);
  const o = size * padding;
  const r = s * 0.13;
  const grapes = [[0.3, 0.38], [0.5, 0.38], [0.7, 0.38], [0.4, 0.56], [0.6, 0.56], [0.5, 0.74]]
    .map(([x, y]) => [o + x * s, o + y * s]);
  const leaf = [o + 0.62 * s, o + 0.18 * s];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let color = [0x6b, 0x3f, 0xb8];
      if (Math.hypot(x - leaf[0], (y - leaf[1]) * 1.8) < r * 1.1) color = [0x5f, 0xb0, 0x4a];
      for (const [gx, gy] of grapes) {
        const d = Math.hypot(x - gx, y - gy);
        if (d < r) {
          const light = Math.hypot(x - (gx - r * 0.35), y - (gy - r * 0.35)) < r * 0.3;
          color = light ? [0xe6, 0xd9, 0xfa] : [0xc9, 0xb2, 0xf0];
        }
      }
      const i = (y * size + x) * 4;
      px[i] = color[0];
      px[i + 1] = color[1];
      px[i + 2] = color[2];
      px[i + 3] = 255;
    }
  }
  return px;
}
