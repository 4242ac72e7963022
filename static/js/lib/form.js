// Form building blocks shared by the views: labelled inputs that carry the API field path they
// feed (data-field), typed numbers read into an API body, 422 errors shown next to their field,
// and the optimizer panel whose hyper-parameter inputs come from GET /api/optimizers.

import { el } from "./dom.js";
import { formatNumber, parseNumber } from "./format.js";
import { t } from "./i18n.js";
import { showFormulas } from "./math.js";
import { STEPS, hasSlider, positionOf, scaleFor, valueAt } from "./slider.js";

let uid = 0;
const nextId = (stem) => `${stem}-${++uid}`;

/**
 * A labelled text input for a number. `field` is the API field path it feeds
 * (e.g. "runs[0].hyperparams.eta"), used to show the API's error next to it.
 */
export function numberField({ name, label, symbol, value = "", title, field, className = "" }) {
  const id = nextId(name);
  const caption = symbol
    ? [el("span", { class: "symbol", text: symbol }), " ", el("span", { class: "name", text: label })]
    : [label];
  const input = el("input", {
    id, name, type: "text", inputmode: "decimal", spellcheck: "false", autocomplete: "off",
    value: String(value), title, "aria-describedby": `${id}-error`,
  });
  const wrapper = el("div", { class: `field ${className}`.trim(), dataset: { field } }, [
    el("label", { for: id, title }, caption),
    input,
    el("p", { class: "field-error", id: `${id}-error`, "aria-live": "polite" }),
  ]);
  return { el: wrapper, input };
}

/** A labelled select; options are [{value, label}]. */
export function selectField({ name, label, options, value, field, title }) {
  const id = nextId(name);
  const select = el("select", { id, name, title, "aria-describedby": `${id}-error` },
    options.map((o) => el("option", { value: o.value, text: o.label })));
  if (value !== undefined) select.value = value;
  const wrapper = el("div", { class: "field", dataset: { field } }, [
    el("label", { for: id, text: label, title }),
    select,
    el("p", { class: "field-error", id: `${id}-error`, "aria-live": "polite" }),
  ]);
  return { el: wrapper, select };
}

/**
 * A reader of typed numbers: `number(text, field)` is the number, or undefined with
 * {field, message} added to `errors`.
 */
export function numberReader(errors) {
  return (text, field) => {
    const parsed = parseNumber(text);
    if (parsed.error) errors.push({ field, message: parsed.error });
    return parsed.value;
  };
}

/**
 * The run for an API body from a panel's state ({opt, impl, <hyper-parameter>: text}), pure.
 * Text that is not a number adds {field, message} to `errors` (the field "<prefix>.hyperparams.<name>").
 */
export function runRequest(state, fieldPrefix, errors) {
  const { opt, impl, ...texts } = state;
  const number = numberReader(errors);
  const hyperparams = {};
  for (const [name, text] of Object.entries(texts)) {
    const value = number(text, `${fieldPrefix}.hyperparams.${name}`);
    if (value !== undefined) hyperparams[name] = value;
  }
  return { optimizer: opt, impl, hyperparams };
}

/** Remove every error shown inside `root`. */
export function clearFieldErrors(root) {
  for (const node of root.querySelectorAll("[data-field].invalid")) {
    node.classList.remove("invalid");
    const slot = node.querySelector(":scope > .field-error");
    if (slot) slot.textContent = "";
    for (const input of node.querySelectorAll(":scope > input, :scope > select")) {
      input.removeAttribute("aria-invalid");
    }
  }
}

/**
 * The error's slot: the element whose data-field is the error's field, else the closest
 * enclosing one (the longest data-field that prefixes it: "runs[0].hyperparams" holds an
 * unknown hyper-parameter's error). Pure over the list of data-field values.
 */
export function closestField(fields, field) {
  let best = null;
  for (const candidate of fields) {
    const fits = field === candidate || field.startsWith(`${candidate}.`) || field.startsWith(`${candidate}[`);
    if (fits && (best === null || candidate.length > best.length)) best = candidate;
  }
  return best;
}

/** Show errors [{field, message}] next to their fields (closestField). Returns those no element holds. */
export function showFieldErrors(root, errors) {
  const slots = [...root.querySelectorAll("[data-field]")];
  const fields = slots.map((node) => node.dataset.field);
  const unplaced = [];
  for (const error of errors) {
    const best = fields.indexOf(closestField(fields, error.field));
    if (best < 0) {
      unplaced.push(error);
      continue;
    }
    const node = slots[best];
    node.classList.add("invalid");
    const slot = node.querySelector(":scope > .field-error");
    if (slot) slot.textContent = slot.textContent ? `${slot.textContent}; ${error.message}` : error.message;
    for (const input of node.querySelectorAll(":scope > input, :scope > select")) {
      input.setAttribute("aria-invalid", "true");
    }
  }
  return unplaced;
}

/** Errors next to their fields; those no field claims go to `box`, "field: message" a line. */
export function showFormErrors(form, box, errors) {
  const unplaced = showFieldErrors(form, errors);
  box.textContent = unplaced.map((e) => `${e.field}: ${e.message}`).join("\n");
  box.hidden = unplaced.length === 0;
}

/**
 * Default hyper-parameters of one optimizer from its GET /api/optimizers entry:
 * `default` (2D), `training_default` (context "training"), PyTorch's where impl is "torch".
 */
export function defaultsFor(info, impl = "book", context = "2d") {
  const values = {};
  for (const hp of info.hyperparams) {
    let value = context === "training" ? hp.training_default : hp.default;
    if (impl === "torch" && hp.torch_default !== hp.default) value = hp.torch_default;
    values[hp.name] = value;
  }
  return values;
}

/** The tooltip of a hyper-parameter input: what it is, its bounds and defaults. */
export function hyperparamTitle(hp) {
  const text = t("{description} · allowed {bounds} · default {value}", {
    description: hp.description, bounds: hp.bounds, value: formatNumber(hp.default),
  });
  return hp.torch_default !== hp.default
    ? t("{text} (PyTorch {value})", { text, value: formatNumber(hp.torch_default) }) : text;
}

/**
 * A range slider beside `field` (in one row with it, outside the field itself) for hyper-parameter
 * `hp`: moving it writes the value into the text (the text stays what is sent and kept in the URL)
 * and calls onChange("drag"); letting go calls onChange("dragend"). `follow()` moves it to the
 * typed value; `el` is the row to insert.
 */
function attachSlider(field, hp, onChange) {
  const scale = scaleFor(hp);
  const range = el("input", {
    type: "range", class: "hp-slider", min: "0", max: String(STEPS), step: "1",
    "aria-label": scale.log
      ? t("{symbol} ({name}), log scale", { symbol: hp.symbol, name: hp.name }) : `${hp.symbol} (${hp.name})`,
    title: scale.log
      ? t("{symbol}: {min} … {max} (log scale)", { symbol: hp.symbol, min: formatNumber(scale.min), max: formatNumber(scale.max) })
      : `${hp.symbol}: ${formatNumber(scale.min)} … ${formatNumber(scale.max)}`,
    dataset: { name: hp.name, scale: scale.log ? "log" : "linear" },
  });
  const follow = () => {
    const position = positionOf(scale, parseNumber(field.input.value).value);
    if (position !== null) range.value = String(position);
  };
  range.addEventListener("input", () => {
    field.input.value = formatNumber(valueAt(scale, Number(range.value)));
    onChange("drag");
  });
  range.addEventListener("change", () => onChange("dragend"));
  follow();
  return { follow, el: el("div", { class: "hp-row" }, [field.el, range]) };
}

/**
 * One optimizer's panel: optimizer and impl selects plus generated hyper-parameter inputs.
 *  - `catalogue`: the list from GET /api/optimizers
 *  - `fieldPrefix`: API path of this run, e.g. "runs[0]" (hyper-parameters are <prefix>.hyperparams.<name>)
 *  - `onChange(kind)`: called on every edit; kind is "input" (typing), "choice" (a select),
 *    "drag" (a slider moved) or "dragend" (a slider let go)
 *  - `sliders`: a range slider beside each η, γ, ρ, β field (lib/slider.js), kept in step with it
 * Switching optimizer or impl fills that optimizer's defaults for the impl.
 * State is {opt, impl, <hyper-parameter name>: text, ...} (strings, as typed).
 */
export function createOptimizerPanel(container, {
  catalogue, fieldPrefix, context = "2d", sliders = false, onChange = () => {},
}) {
  const byName = new Map(catalogue.map((o) => [o.name, o]));
  const optimizer = selectField({
    name: "optimizer", label: t("optimizer"), field: `${fieldPrefix}.optimizer`,
    options: catalogue.map((o) => ({ value: o.name, label: `${o.label} (${o.section})` })),
  });
  const impl = selectField({
    name: "impl", label: t("implementation"), field: `${fieldPrefix}.impl`,
    title: t("book: the chapter's formulas · torch: the torch.optim class"),
    options: [{ value: "book", label: t("book") }, { value: "torch", label: "torch" }],
  });
  const summary = el("p", { class: "opt-summary" });
  const params = el("div", { class: "hyperparams", dataset: { field: `${fieldPrefix}.hyperparams` } });
  const paramsError = el("p", { class: "field-error", "aria-live": "polite" });
  const torchNotes = el("p", { class: "torch-notes", hidden: true });
  container.append(el("div", { class: "choice-row" }, [optimizer.el, impl.el]), summary, params, torchNotes);
  params.append(paramsError);
  let inputs = new Map();

  function build(name, implName, given = {}) {
    const info = byName.get(name) ?? catalogue[0];
    optimizer.select.value = info.name;
    impl.select.value = info.impls.includes(implName) ? implName : "book";
    const defaults = defaultsFor(info, impl.select.value, context);
    const notation = info.notation[impl.select.value];
    showFormulas(summary, [notation.gradient[context === "training" ? "training" : "2d"], ...notation.rule]);
    summary.title = t("{label}, D2L section {section}: {summary}", {
      label: info.label, section: info.section, summary: info.summary,
    });
    torchNotes.textContent = info.torch_notes;
    torchNotes.hidden = impl.select.value !== "torch";
    for (const node of params.querySelectorAll(":scope > .field, :scope > .hp-row")) node.remove();
    inputs = new Map();
    for (const hp of info.hyperparams) {
      const value = given[hp.name] ?? formatNumber(defaults[hp.name]);
      const field = numberField({
        name: hp.name, label: hp.name, symbol: hp.symbol, value, title: hyperparamTitle(hp),
        field: `${fieldPrefix}.hyperparams.${hp.name}`,
      });
      const slider = sliders && hasSlider(hp) ? attachSlider(field, hp, onChange) : null;
      field.input.addEventListener("input", () => {
        slider?.follow();
        onChange("input");
      });
      params.insertBefore(slider?.el ?? field.el, paramsError);
      inputs.set(hp.name, field.input);
    }
  }

  for (const select of [optimizer.select, impl.select]) {
    select.addEventListener("change", () => {
      build(optimizer.select.value, impl.select.value);
      onChange("choice");
    });
  }

  return {
    /** The panel as URL-ready strings. */
    getState() {
      const state = { opt: optimizer.select.value, impl: impl.select.value };
      for (const [name, input] of inputs) state[name] = input.value.trim();
      return state;
    },
    /** Restore a state (unknown optimizer → the first; missing values → defaults). */
    setState(state = {}) {
      const { opt, impl: implName, ...given } = state;
      build(opt ?? catalogue[0].name, implName ?? "book", given);
    },
  };
}
