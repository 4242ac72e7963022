"""Both languages in a real browser: the lab, Training and History in Chinese (labels, messages,
chart titles and axes), the switch in the header and the choice it keeps, the browser's own
language by default, and a 422 worded in Chinese next to its field.

Every Chinese page is also read whole (text, tooltips, aria labels, the charts' SVG text): an
English word there that is not a name, a symbol or code is a string that skipped the catalogue.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.conftest import VIEWPORT, PageLog
from tests.e2e.test_lab2d import wait_for_run
from tests.e2e.test_training import ENDED, wait_state

pytestmark = pytest.mark.e2e

# What may stay in Latin letters on a Chinese page: names (of optimizers, libraries, data, the app's
# identifiers as the API spells them), symbols and units, formats.
LATIN_OK = set(
    re.findall(
        r"\S+",
        """
    AdaGrad RMSProp Adam Adadelta PyTorch torch optim SGD Adagrad RMSprop NASA UCI CSV JSON PNG SVG
    cpu cuda auto book D2L dB kB MB lr eps rho alpha betas momentum amsgrad centered False lr_decay
    initial_accumulator_value exp sin cos log sqrt tanh abs pi gd sgd adagrad rmsprop adadelta adam
    quadratic bowl custom expression eta gamma beta1 beta2 noise Rosenbrock Beale Himmelblau
    Rastrigin English Zoom Pan API CUDA Linear x_T
    """,
    )
)
ENGLISH_WORDS = """
() => {
  const found = [];
  const seen = (text, where) => {
    const words = text.match(/(?<![A-Za-z0-9_])[A-Za-z][A-Za-z_]{2,}(?![A-Za-z0-9_])/g) ?? [];
    for (const word of words) found.push(`${word} (${where})`);
  };
  const skip = (node) => node.closest('script, style, code, [translate="no"], .modebar');
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!skip(node.parentElement)) seen(node.textContent, node.parentElement.tagName.toLowerCase());
  }
  for (const el of document.body.querySelectorAll('[title], [aria-label], [placeholder]')) {
    if (skip(el)) continue;
    for (const name of ['title', 'aria-label', 'placeholder']) {
      // a formula's tooltip is its LaTeX source: code, like a <code>
      const latex = name === 'title' && el.querySelector(':scope > math');
      if (el.hasAttribute(name) && !latex) seen(el.getAttribute(name), `${el.tagName.toLowerCase()}@${name}`);
    }
  }
  seen(document.title, 'title');
  return found;
}
"""


USER_WORDS = """
async () => {
  const datasets = await (await fetch('/api/datasets')).json();
  const text = datasets.filter((d) => d.kind === 'upload').flatMap((d) => [d.filename ?? '', ...d.columns]).join(' ');
  return text.match(/[A-Za-z_]+/g) ?? [];
}
"""


def english_on(page: Page) -> list[str]:
    """English words on the page that are not names, symbols, code, or what a user uploaded (shown as is)."""
    words: list[str] = page.evaluate(ENGLISH_WORDS)
    allowed = LATIN_OK | set(page.evaluate(USER_WORDS))
    return [w for w in words if w.split(" ")[0] not in allowed]


def texts(page: Page, selector: str) -> list[str]:
    return [t.strip() for t in page.locator(selector).all_inner_texts()]


def plot_titles(page: Page) -> list[str]:
    return [t.strip() for t in page.locator(".gtitle, .g-xtitle, .g-ytitle").all_text_contents()]


def test_the_lab_in_chinese(page: Page, page_log: PageLog) -> None:
    page.goto("/?lang=zh")
    wait_for_run(page, 0)
    assert page.get_attribute("html", "lang") == "zh-CN"
    assert page.locator("#lab-form legend").first.inner_text() == "问题"
    assert page.locator("label[for=fn]").inner_text() == "函数"
    assert "AdaGrad算法 (7.5)" in texts(page, "#panel-a select[name=optimizer] option")
    assert page.locator("#panel-b label", has_text="优化算法").count() == 1
    assert page.locator("#step-label").inner_text() == "第 20 / 20 步"
    assert page.locator("#play").inner_text() == "▶ 播放"
    assert page.locator("#run-status").inner_text() == "20 步"
    titles = plot_titles(page)
    assert "每步的目标函数 f(xₜ)（对数刻度）" in titles
    assert "每个坐标的有效学习率（对数刻度）" in titles
    assert "步 t" in titles and "步长" in titles
    assert any(t.startswith("A · AdaGrad算法 (书中实现") for t in titles)
    assert page.locator(".legendtext", has_text="起点").count() >= 1
    tooltips = page.eval_on_selector_all("#chart-values .modebar-btn", "bs => bs.map(b => b.dataset.title)")
    assert {"缩放", "平移", "重置坐标轴", "将图下载为 PNG", "将图下载为 SVG"} <= set(tooltips), tooltips
    assert (found := english_on(page)) == [], found
    assert page_log.console_errors == [] and page_log.page_errors == []


def test_a_refused_field_is_worded_in_chinese(page: Page, page_log: PageLog) -> None:
    page.goto("/?lang=zh&fn=custom&expr=x1%2A%2A2%20%2B%20y")
    wait_for_run(page, 0, "invalid")
    error = page.locator("[data-field=expression] .field-error").inner_text()
    assert error == "未知的名称 'y'；允许的名称：x1, x2, pi, e"
    page.goto("/?lang=zh&a.opt=adagrad&a.eta=1000")
    wait_for_run(page, 0, "invalid")
    error = page.locator("[data-field='runs[0].hyperparams.eta'] .field-error").inner_text()
    assert error == "eta 必须是 (0, 100] 内的有限数，实际为 1000.0"
    page.locator("#steps").fill("abc")
    page.wait_for_function("() => document.getElementById('steps-error').textContent !== ''")
    assert page.locator("#steps-error").inner_text() == "“abc”不是数"


def test_training_in_chinese(page: Page, page_log: PageLog) -> None:
    page.goto("/training?lang=zh&dataset=synthetic")
    wait_state(page, "idle")
    assert page.locator("label[for=dataset]").inner_text() == "数据集"
    assert "损失随迭代周期的变化" in plot_titles(page)
    assert page.locator("#run-count").inner_text() == "2 个运行（2–6 个），数据与起点相同"
    page.locator("#run").click()
    wait_state(page, *ENDED)
    assert page.locator("#training").get_attribute("data-state") == "done"
    titles = plot_titles(page)
    assert any(t.startswith("损失随迭代周期的变化 · 合成数据") for t in titles), titles
    assert "迭代周期" in titles and "损失" in titles
    assert texts(page, "#results-table thead th")[:6] == ["运行", "优化算法", "实现", "超参数", "状态", "最终损失"]
    assert set(texts(page, "#results-body .cell-status")) == {"已完成"}
    assert "2 个迭代周期，批量大小 10" in page.locator("#job-line").inner_text()
    assert (found := english_on(page)) == [], found
    assert page_log.console_errors == [] and page_log.page_errors == []


def test_history_in_chinese(page: Page, page_log: PageLog) -> None:
    page.goto("/?lang=zh")
    wait_for_run(page, 0)  # at least one stored comparison
    page.locator(".nav-link", has_text="历史记录").click()
    page.wait_for_url("**/history?lang=zh")
    page.wait_for_function("() => document.getElementById('history').dataset.state === 'list'")
    assert texts(page, "#runs-table thead th")[1:] == ["时间", "类型", "运行", "状态", "结果", "固定"]
    assert "已完成" in texts(page, "#runs-body .status")
    assert "全部" in texts(page, "#filter-status option") and "已中断" in texts(page, "#filter-status option")
    assert (found := english_on(page)) == [], found
    page.locator("#runs-body tr[data-kind=trajectory] .run-link").first.click()
    page.wait_for_url("**/runs/*")
    page.wait_for_function("() => document.getElementById('history')?.dataset.state === 'run'")
    assert "lang=zh" in page.url
    assert page.locator("#summary-head th").first.inner_text() == "运行"
    assert any("上的路径" in t for t in plot_titles(page))
    assert page.locator(".download-label").first.inner_text() == "下载"
    assert (found := english_on(page)) == [], found
    assert page_log.console_errors == [] and page_log.page_errors == []


def test_the_404_page_in_chinese(page: Page) -> None:
    response = page.goto("/runs/no-such-run?lang=zh")
    assert response is not None and response.status == 404
    assert page.locator("h1").inner_text() == "没有这个运行"
    assert (found := english_on(page)) == [], found


def test_the_switch_changes_the_language_and_the_choice_is_kept(page: Page) -> None:
    page.goto("/training?epochs=3")
    wait_state(page, "idle")
    assert page.get_attribute("html", "lang") == "en"
    page.locator(".lang-link[data-lang=zh]").click()
    page.wait_for_url("**/training?*lang=zh*")
    wait_state(page, "idle")
    assert page.get_attribute("html", "lang") == "zh-CN"
    assert page.locator("#epochs").input_value() == "3"  # the view's state came along
    assert page.locator(".lang-link[aria-current=true]").inner_text() == "中文"
    # Kept: a page opened without ?lang= comes back in Chinese (localStorage), as do its links.
    page.goto("/history")
    page.wait_for_url("**/history?lang=zh")
    page.wait_for_function("() => document.getElementById('history').dataset.state === 'list'")
    assert page.locator(".nav-link[aria-current=page]").inner_text() == "历史记录"
    page.locator(".lang-link[data-lang=en]").click()
    page.wait_for_url("**/history?lang=en")
    assert page.get_attribute("html", "lang") == "en"
    page.goto("/")
    wait_for_run(page, 0)
    assert page.get_attribute("html", "lang") == "en"
    assert page.locator("label[for=fn]").inner_text() == "function"


@pytest.fixture
def chinese_browser_page(browser: Browser, live_server: str) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT, base_url=live_server, locale="zh-CN")
    context.route("**/*", lambda route: route.continue_() if "127.0.0.1" in route.request.url else route.abort())
    try:
        yield context.new_page()
    finally:
        context.close()


def test_a_chinese_browser_gets_chinese_by_default(chinese_browser_page: Page) -> None:
    page = chinese_browser_page
    page.goto("/")
    wait_for_run(page, 0)
    assert page.get_attribute("html", "lang") == "zh-CN"
    assert page.locator("label[for=fn]").inner_text() == "函数"
    assert "lang=" not in page.url  # nothing chosen, nothing kept
    page.locator(".lang-link[data-lang=en]").click()
    page.wait_for_url("**/?*lang=en*")
    page.goto("/training")
    page.wait_for_url("**/training?lang=en")
    assert page.get_attribute("html", "lang") == "en"


def test_the_book_page_in_chinese(page: Page, page_log: PageLog) -> None:
    page.goto("/book?lang=zh")
    page.wait_for_function(
        "() => document.querySelectorAll('tr[data-result] .verdict[data-verdict=pass]').length >= 8", timeout=120_000
    )
    assert page.locator("h1").first.inner_text() == "本书实况"
    assert texts(page, ".book-section thead th")[:5] == ["结果", "书中打印的", "我们的", "判定", "每个迭代周期的秒数"]
    assert "通过" in texts(page, ".verdict[data-verdict=pass]")
    assert "二维结果在我们的点与书中打印的点在 6 位小数上相同时通过" in page.locator("#book-rules").inner_text()
    assert "在二维实验中打开" in texts(page, "a.open")
    assert (found := english_on(page)) == [], found
    assert page_log.console_errors == [] and page_log.page_errors == []


def test_the_sweep_page_in_chinese(page: Page, page_log: PageLog) -> None:
    page.goto("/sweep?lang=zh")
    page.wait_for_function("() => !['loading'].includes(document.getElementById('sweep').dataset.state)")
    assert page.get_attribute("html", "lang") == "zh-CN"
    assert page.locator("label[for=kind]").inner_text() == "超参数扫描"
    assert page.locator("#run").inner_text() == "▶ 运行"
    assert "二维函数" in texts(page, "#kind option")
    assert (found := english_on(page)) == [], found
    page.locator("#run").click()
    page.wait_for_selector("#sweep[data-state=done]", timeout=60_000)
    assert (found := english_on(page)) == [], found
    assert page_log.console_errors == [] and page_log.page_errors == []
