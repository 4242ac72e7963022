// The data-set picker of the Training view: the menu (an unavailable set greyed out, with its
// reason), the note under it, and CSV uploads (POST /api/datasets) whose refusals show next to
// the file input.

import { ApiError, fieldErrors, getJSON, postFile } from "../../lib/api.js";
import { $, el } from "../../lib/dom.js";
import { clearFieldErrors, showFieldErrors } from "../../lib/form.js";
import { kilobytes } from "../../lib/format.js";
import { datasetName } from "../../lib/labels.js";
import { usable } from "./state.js";
import { t } from "../../lib/i18n.js";

/** The words of a refused upload: the 422's per-field messages, or the server's reason. */
export function uploadRefusal(err) {
  if (err instanceof ApiError && err.isValidation) return fieldErrors(err).map((e) => e.message).join("; ");
  if (err instanceof ApiError && err.status === 413) return t("too large: {reason}", { reason: err.reason });
  return err.message;
}

/** The picker over `datasets` (GET /api/datasets); `onChange()` after the user picks or uploads one. */
export function createDatasetPicker(datasets, { form, onChange }) {
  const select = $("dataset");
  const field = form.querySelector('[data-field="file"]');
  const status = $("upload-status");
  let list = datasets;

  function fill() {
    const chosen = select.value;
    select.replaceChildren(...list.map((d) => el("option", {
      value: d.id,
      text: d.available ? datasetName(d) : t("{name} (unavailable)", { name: datasetName(d) }),
      disabled: !d.available,
      title: d.available ? d.description : d.reason ?? t("unavailable"),
    })));
    if (chosen && usable(list, chosen)) select.value = chosen;
    const airfoil = list.find((d) => d.kind === "airfoil");
    const box = $("airfoil-unavailable");
    box.hidden = !airfoil || airfoil.available;
    if (airfoil && !airfoil.available) {
      const reason = airfoil.reason ?? t("no reason given");
      box.textContent = t("{name} is unavailable: {reason}. The synthetic set and uploaded CSV files still work.", {
        name: airfoil.label, reason,
      });
    }
  }

  function describe() {
    const d = list.find((item) => item.id === select.value);
    $("dataset-note").textContent = d ? d.description : "";
    $("synthetic-tag").hidden = !d?.synthetic;
  }

  async function upload(file) {
    clearFieldErrors(field.parentElement);
    status.hidden = false;
    status.textContent = t("uploading {name} ({size} kB)…", { name: file.name, size: kilobytes(file.size) });
    try {
      const info = await postFile("/api/datasets", "file", file);
      list = await getJSON("/api/datasets");
      if (!list.some((d) => d.id === info.id)) list.push(info);
      fill();
      picker.value = info.id;
      onChange();
      status.textContent = t(
        "Uploaded {name}: {rows} rows, {features} features, target “{target}”. Standardised like the book; " +
          "kept on the server (the least recently used make room when uploads fill up).",
        { name: info.filename ?? file.name, rows: info.rows, features: info.features, target: info.columns.at(-1) },
      );
    } catch (err) {
      status.hidden = true;
      showFieldErrors(field.parentElement, [{ field: "file", message: uploadRefusal(err) }]);
    } finally {
      $("upload").value = ""; // picking the same file again uploads it again
    }
  }

  select.addEventListener("change", () => {
    status.hidden = true;
    describe();
    onChange();
  });
  $("upload").addEventListener("change", () => {
    const file = $("upload").files?.[0];
    if (file) upload(file);
  });
  fill();

  const picker = {
    get datasets() {
      return list;
    },
    get value() {
      return select.value;
    },
    set value(id) {
      select.value = id;
      describe();
    },
    /** Why a link's data set `id` is not the one chosen (unavailable, or not on the server). */
    missing(id) {
      const known = list.find((d) => d.id === id);
      const using = select.selectedOptions[0]?.textContent;
      const reason = known?.reason ?? t("no reason given");
      return known
        ? t("{name} is unavailable ({reason}): using {using}.", { name: datasetName(known), reason, using })
        : t("The data set “{id}” of this link is not on the server (uploads last while the server runs): using {using}.", {
          id, using,
        });
    },
  };
  return picker;
}
