// Run colours live in one place, the stylesheet's :root (--run-a … --run-h), so a run's panel,
// badge, table row and curves share one colour. Charts read them here.

const LETTERS = "abcdefgh";

/** Colour of run `index` (0 → A): the CSS variable --run-<letter>, cycling after H. */
export function runColor(index) {
  const letter = LETTERS[index % LETTERS.length];
  return getComputedStyle(document.documentElement).getPropertyValue(`--run-${letter}`).trim();
}

/** `color` ("#rrggbb", "#rgb" or "rgb(r, g, b)") at opacity `alpha`, as rgba(); other forms as they are. */
export function translucent(color, alpha) {
  const text = String(color).trim();
  let rgb = null;
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(text);
  if (hex) {
    const digits = hex[1].length === 3 ? [...hex[1]].map((d) => d + d).join("") : hex[1];
    rgb = [0, 2, 4].map((i) => Number.parseInt(digits.slice(i, i + 2), 16));
  } else {
    const fn = /^rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)/i.exec(text);
    if (fn) rgb = fn.slice(1, 4).map(Number);
  }
  return rgb ? `rgba(${rgb.join(", ")}, ${alpha})` : text;
}
