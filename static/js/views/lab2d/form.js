// The 2D lab's form in the DOM ⇄ its state (state.js): fill the inputs from a state, read a state
// from the inputs, the view box's texts and the function's formula and note.

import { $, showText } from "../../lib/dom.js";
import { showFormulas } from "../../lib/math.js";
import { BOX, CUSTOM, DEFAULT_EXPRESSION, PANELS, boxEdited, boxTexts } from "./state.js";

const boxInput = (key) => $(`box-${key}`);

/** The view box's inputs: the texts of `given` where it has them, else the function's (`info`). */
export function setBox(given, info) {
  const texts = boxTexts(given, info);
  for (const key of BOX) boxInput(key).value = texts[key];
}

/** The function's formula and note; the expression field only for a custom one. */
export function showFunction(info) {
  $("expression-field").hidden = info.name !== CUSTOM;
  if (info.grammar?.max_length) $("expression").maxLength = info.grammar.max_length;
  showFormulas($("fn-formula"), [{ latex: info.latex, mathml: info.mathml }]);
  showText($("fn-note"), info.note);
}

/** Fill the form from `state` (its function's catalogue entry `info`, the run panels). */
export function applyForm(state, info, panels) {
  $("fn").value = state.fn;
  showFunction(info);
  for (const id of ["x1", "x2", "steps", "seed"]) $(id).value = state[id];
  setBox(state.box, info);
  $("expression").value = state.expr ?? DEFAULT_EXPRESSION;
  panels.forEach((panel, i) => panel.setState(state[PANELS[i]]));
  $("overlay").checked = state.overlay === "1";
}

/** The form as a state (strings, as typed); `functions` is the catalogue by name. */
export function readForm(functions, panels) {
  const fn = $("fn").value;
  const box = Object.fromEntries(BOX.map((k) => [k, boxInput(k).value.trim()]));
  const state = {
    fn,
    expr: fn === CUSTOM ? $("expression").value : undefined,
    x1: $("x1").value.trim(),
    x2: $("x2").value.trim(),
    box: boxEdited(box, functions.get(fn)) ? box : undefined,
    steps: $("steps").value.trim(),
    seed: $("seed").value.trim(),
    overlay: $("overlay").checked ? "1" : "0",
  };
  panels.forEach((panel, i) => { state[PANELS[i]] = panel.getState(); });
  return state;
}
