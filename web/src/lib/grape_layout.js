// Where each grape of a bunch sits: rows that narrow towards the bottom, like a real bunch.

/**
 * Centres of `goal` grapes in a bunch `width` units wide, filled top row first.
 * @param {number} goal
 * @param {number} [radius]
 * @returns {{ x: number, y: number }[]}
 */
export function grapeLayout(goal, radius = 10) {
  const count = Math.max(0, Math.floor(goal));
  let top = 1;
  while ((top * (top + 1)) / 2 < count) top++;
  const step = radius * 2.1;
  const width = top * step;
  /** @type {{ x: number, y: number }[]} */
  const out = [];
  for (let row = 0, inRow = top; out.length < count && inRow > 0; row++, inRow--) {
    const n = Math.min(inRow, count - out.length);
    const start = (width - (n - 1) * step) / 2;
    for (let i = 0; i < n; i++) {
      out.push({ x: start + i * step, y: radius + row * radius * 1.85 });
    }
  }
  return out;
}

/**
 * The size of the drawing for `goal` grapes.
 * @param {number} goal
 * @param {number} [radius]
 */
export function bunchSize(goal, radius = 10) {
  const points = grapeLayout(goal, radius);
  const width = Math.max(radius * 2, ...points.map((p) => p.x + radius));
  const height = Math.max(radius * 2, ...points.map((p) => p.y + radius));
  return { width, height };
}
