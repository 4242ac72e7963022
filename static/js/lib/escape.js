// Plotly renders a subset of HTML in titles, legends, annotations and hover text (<b>, <br>,
// <a href>, <span style>) and decodes entities (&amp; &lt; &gt; &#NN; and a few named ones).
// Text that comes from a user (file names, CSV headers, expressions, titles) goes through
// plotlyText before any chart sees it; the chart factories in plots/ do it for every name and
// title they are given. Quotes need nothing: without a "<" there is no tag for them to end.

const ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };

/** `text` shown literally by Plotly: the characters that start a tag or an entity become entities. */
export function plotlyText(text) {
  return String(text ?? "").replace(/[&<>]/g, (c) => ENTITIES[c]);
}

const DECODED = { amp: "&", lt: "<", gt: ">" };

/** The text plotlyText was given back from what it made (for file names taken from a plot's title). */
export function plainText(escaped) {
  return String(escaped ?? "").replace(/&(amp|lt|gt);/g, (_, name) => DECODED[name]);
}
