// Plot images as files: PNG (raster, 2× scale) and SVG (vector), the whole figure with its title,
// legend and axes, drawn by plotly.js in the page (Plotly.downloadImage): nothing leaves the machine.
//   downloadPlot(div, "svg", "name")      save one plot
//   downloadButtons(div, () => "name")    a "PNG · SVG" control to put beside a plot
//   svgModeBarButton()                    the same as an extra button in a chart's plotly mode bar

import { plainText } from "../lib/escape.js";
import { t } from "../lib/i18n.js";

/** "RMSProp vs AdaGrad: f(xₜ)" → "rmsprop-vs-adagrad-f-xt" (a safe file name stem). */
export function slug(text, fallback = "plot") {
  const stem = String(text ?? "")
    .normalize("NFKD")
    .replace(/[^\w\s-]/g, " ")
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, "-")
    .slice(0, 80)
    .replace(/-+$/, "");
  return stem || fallback;
}

/** The title of a drawn plot as plain text (the chart factories escaped it for Plotly), or "". */
export function plotTitle(div) {
  const layoutTitle = div?.layout?.title;
  return plainText(typeof layoutTitle === "string" ? layoutTitle : layoutTitle?.text ?? "");
}

/** Save the plot in `div` as `<name>.png` or `<name>.svg`, at the size it is shown. */
export function downloadPlot(div, format, name) {
  const options = { format, filename: slug(name || plotTitle(div)) };
  if (format === "png") options.scale = 2;
  const width = div.clientWidth;
  const height = div.clientHeight;
  if (width > 0 && height > 0) Object.assign(options, { width, height });
  return window.Plotly.downloadImage(div, options);
}

/** A small control with one button per format; `name()` gives the file name stem at click time. */
export function downloadButtons(div, name = () => plotTitle(div)) {
  const group = document.createElement("div");
  group.className = "download";
  group.setAttribute("role", "group");
  group.setAttribute("aria-label", t("Download this plot"));
  const label = document.createElement("span");
  label.className = "download-label";
  label.textContent = t("download");
  group.append(label);
  for (const format of ["png", "svg"]) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "download-button";
    button.dataset.format = format;
    button.textContent = format.toUpperCase();
    button.title = t("Download this plot as {format} (title, legend and axes included)", { format: format.toUpperCase() });
    button.addEventListener("click", () => {
      downloadPlot(div, format, name()).catch((err) => console.warn("download failed", err));
    });
    group.append(button);
  }
  return group;
}

/** A plotly mode-bar button (a disk) that saves the plot as SVG; plotly's own camera button saves PNG. */
export function svgModeBarButton() {
  return {
    name: "downloadSvg",
    title: t("Download plot as SVG"),
    icon: window.Plotly.Icons.disk,
    click: (div) => downloadPlot(div, "svg", plotTitle(div)),
  };
}
