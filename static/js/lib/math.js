// Formulas as MathML: the server converts the registry's LaTeX (latex2mathml) and the browser
// renders MathML Core itself, so no math library is loaded. The markup is the server's own
// conversion of its own formulas, never user text.

/** A <math> element from the API's `mathml` markup (empty markup → an empty text node). */
export function mathNode(markup) {
  const template = document.createElement("template");
  template.innerHTML = markup ?? "";
  return template.content.firstElementChild ?? document.createTextNode("");
}

/** Show `formulas` ([{latex, mathml}]) in `node`, one per line; hide `node` when there are none. */
export function showFormulas(node, formulas) {
  const lines = (formulas ?? []).filter((f) => f.mathml);
  node.replaceChildren(
    ...lines.map((f) => {
      const line = document.createElement("span");
      line.className = "formula-line";
      line.title = f.latex;
      line.append(mathNode(f.mathml));
      return line;
    }),
  );
  node.hidden = lines.length === 0;
}
