// Run colours live in one place, the stylesheet's :root (--run-a … --run-h), so a run's panel,
// badge, table row and curves share one colour. Charts read them here.

const LETTERS = "abcdefgh";

/** Colour of run `index` (0 → A): the CSS variable --run-<letter>, cycling after H. */
export function runColor(index) {
  const letter = LETTERS[index % LETTERS.length];
  return getComputedStyle(document.documentElement).getPropertyValue(`--run-${letter}`).trim();
}
