// The few DOM helpers every view uses: look an element up by id, build one from props.

/** The element with this id (the templates give every wired element one). */
export const $ = (id) => document.getElementById(id);

/**
 * A new element: `props` become attributes (class, text, dataset, properties such as
 * `disabled: true` or `checked`), `children` are appended (nodes or strings).
 * A prop that is undefined, null or false is left out.
 */
export function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key in node && typeof value !== "string") node[key] = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  node.append(...children);
  return node;
}

/** Show `node` with `text` as its content, or hide it when `text` is empty. */
export function showText(node, text) {
  node.textContent = text;
  node.hidden = !text;
}

/** Show `node` holding `children` (nodes or strings), or hide it when there are none. */
export function showChildren(node, ...children) {
  node.replaceChildren(...children);
  node.hidden = children.length === 0;
}

/** Point the link `node` at `href`, or hide it (and drop its href) when there is none. */
export function showLink(node, href) {
  node.hidden = !href;
  if (href) node.href = href;
  else node.removeAttribute("href");
}

/**
 * Whether each of `nodes` is on screen now (any part of it in the viewport), kept up to date:
 * `visible(node)` (true until the browser says otherwise, or where it cannot tell);
 * `onShown(node)` is called when one comes into view.
 */
export function watchInView(nodes, onShown = () => {}) {
  const hidden = new Set();
  if (typeof IntersectionObserver === "function") {
    const observer = new IntersectionObserver((entries) => {
      for (const { target, isIntersecting } of entries) {
        if (isIntersecting && hidden.delete(target)) onShown(target);
        else if (!isIntersecting) hidden.add(target);
      }
    });
    nodes.forEach((node) => observer.observe(node));
  }
  return { visible: (node) => !hidden.has(node) };
}
