"""Check the built book the way a reader sees it: every page in headless Chromium.

    python tools/check_book.py [_build/html]

For every HTML page of the book: the page renders (a heading and body text), every image has
loaded (``complete`` and a natural width), every internal link points to an existing file and
anchor, equations are typeset by the vendored MathJax (no network), and on pages with an
epoch slider (matplotlib's ``to_jshtml``) moving the slider changes the frame shown.
A screenshot of each page goes to ``<html>/_screenshots/`` at a 1280 px window and at a
390 px phone width (``<page>.png``, ``<page>-phone.png``). Exits 1 on any failure.

What a reader sees is measured on every page and printed: for every figure, its natural width
over its displayed width at 1280 px (above 2.3 its text is shrunk below legibility); internal
ids in the visible text (estimator and dataset ids such as ``binning_bin_width0.67`` or
``fashion_mnist``); the code cells a reader sees without opening anything; tables wider than
their column at 1280 px (they scroll sideways; a ``full-width`` cell tag widens them); and, on
a chapter, whether a "Key findings" box comes before its first figure. ``--strict`` makes each of these
a failure (display ratio above 2.3, any internal id, more than 2 visible code cells, a table that scrolls, a chapter
whose first figure comes before its key findings).

Needs Debian's ``chromium`` and ``chromium-driver`` (``apt-get install chromium
chromium-driver``) and the Python package ``selenium``.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

from bs4 import BeautifulSoup

SKIP = {"genindex.html", "search.html"}
MAX_RATIO = 2.3  # natural over displayed width above which a figure's text is too small
MAX_CODE = 2  # code cells a reader sees without opening anything
CHAPTERS = {"width", "kernel", "depth", "pooling", "fc", "compression", "reproduction",
            "verdict"}  # pages that must open with their key findings
INTERNAL_IDS = r"\\b(binning_(bin_width|n_bins|equal_mass)[0-9.]+|renyi_alpha[0-9.]+\\w*|kde_noise_var[0-9.]+\\w*|fashion_mnist|noisy_n_samples\\w*)\\b"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--window-size=1280,1400"]


def driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in FLAGS:
        options.add_argument(flag)
    return webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))


def internal_link_errors(page: Path, root: Path) -> list[str]:
    """Links to files of the book that do not exist, or to anchors the target lacks."""
    errors, soup = [], BeautifulSoup(page.read_text(), "html.parser")
    for a in soup.find_all("a", href=True):
        url = urlparse(a["href"])
        if url.scheme or url.netloc or a["href"].startswith("mailto:"):
            continue
        target = (page.parent / unquote(url.path)).resolve() if url.path else page.resolve()
        if not target.exists():
            errors.append(f"broken link {a['href']!r}")
        elif url.fragment and target.suffix == ".html":
            ids = {t.get("id") for t in BeautifulSoup(target.read_text(), "html.parser")
                   .find_all(id=True)}
            if url.fragment not in ids:
                errors.append(f"missing anchor {a['href']!r}")
        if target.exists() and not str(target).startswith(str(root.resolve())):
            errors.append(f"link leaves the book {a['href']!r}")
    return errors


def check_page(browser, page: Path, root: Path, shots: Path) -> list[str]:
    errors = []
    browser.get(page.resolve().as_uri())
    deadline = time.monotonic() + 15
    while browser.execute_script("return document.readyState") != "complete":
        if time.monotonic() > deadline:
            return ["page did not finish loading"]
        time.sleep(0.1)
    text = browser.execute_script("return document.querySelector('main, article, body')"
                                  ".innerText.length")
    if not browser.find_elements("css selector", "h1") or text < 200:
        errors.append("page shows no heading or almost no text")
    broken = browser.execute_script(
        "return Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0))"
        ".map(i => i.src.slice(0, 80))")
    errors += [f"image did not load: {src}" for src in broken]
    if browser.find_elements("css selector", ".math, .MathJax, mjx-container"):
        time.sleep(0.5)
        typeset = browser.execute_script("return document.querySelectorAll('mjx-container')"
                                         ".length")
        if not typeset:
            errors.append("equations were not typeset (MathJax did not run)")
    errors += check_sliders(browser)
    errors += internal_link_errors(page, root)
    browser.save_screenshot(str(shots / f"{page.stem}.png"))
    return errors


def reader_view(browser, page: Path) -> dict:
    """What a reader meets on the loaded page: figure display ratios, internal ids in the
    visible text, visible code cells, and whether key findings precede the first figure."""
    return browser.execute_script(f"""
        const main = document.querySelector('main') || document.body;
        const figs = Array.from(main.querySelectorAll('img'))
            .filter(i => i.naturalWidth > 0 && i.clientWidth > 0 && i.offsetParent !== null);
        const ratios = figs.map(i => i.naturalWidth / i.clientWidth);
        const text = main.innerText;
        const ids = [...new Set(text.match(new RegExp("{INTERNAL_IDS}", "g")) || [])];
        const code = Array.from(main.querySelectorAll('div.cell:not(.tag_remove-input) div.cell_input'))
            .filter(c => c.offsetParent !== null && !c.closest('details:not([open])')).length;
        const kf = Array.from(main.querySelectorAll('.admonition')).find(
            a => /Key findings|Abstract/.test((a.querySelector('.admonition-title') || {{}}).innerText || ''));
        const wide = Array.from(main.querySelectorAll('.pst-scrollable-table-container'))
            .filter(c => c.offsetParent !== null && !c.closest('details:not([open])') && c.scrollWidth > c.clientWidth + 2)
            .map(c => (c.querySelector('caption') || {{}}).innerText || 'a table without caption');
        const first = figs[0];
        const before = !!kf && (!first ||
            (kf.compareDocumentPosition(first) & Node.DOCUMENT_POSITION_FOLLOWING) > 0);
        return {{ratios: ratios, ids: ids, code: code, findings_first: before,
                 has_findings: !!kf, wide_tables: wide}};""")


def reader_errors(view: dict, page: Path) -> list[str]:
    errors = []
    worst = max(view["ratios"], default=0.0)
    if worst > MAX_RATIO:
        n = sum(r > MAX_RATIO for r in view["ratios"])
        errors.append(f"{n} figure(s) shrunk more than {MAX_RATIO}x (worst {worst:.1f}x)")
    if view["ids"] and page.stem not in ("api",):  # the API reference names ids on purpose
        errors.append(f"internal ids in the text: {view['ids'][:6]}")
    if view["code"] > MAX_CODE:
        errors.append(f"{view['code']} visible code cells (allowed {MAX_CODE})")
    if view["wide_tables"]:
        errors.append(f"{len(view['wide_tables'])} table(s) scroll sideways at 1280 px (tag their "
                      f"cell full-width): " + "; ".join(t[:60] for t in view["wide_tables"]))
    if page.stem in CHAPTERS and not view["findings_first"]:
        errors.append("no key findings before the first figure")
    return errors


def phone_screenshot(browser, page: Path, shots: Path) -> None:
    browser.set_window_size(390, 844)
    browser.get(page.resolve().as_uri())
    time.sleep(0.3)
    browser.save_screenshot(str(shots / f"{page.stem}-phone.png"))
    browser.set_window_size(1280, 1400)


def check_sliders(browser) -> list[str]:
    """Move each to_jshtml slider to its last frame; the shown image must change."""
    errors = []
    sliders = browser.find_elements("css selector", "input[type=range]")
    for slider in sliders:
        before, after = browser.execute_script("""
            const s = arguments[0];
            const img = s.closest('.animation').querySelector('img');
            const before = img.src;
            s.value = s.max; s.dispatchEvent(new Event('input')); s.dispatchEvent(new Event('change'));
            return [before, img.src];""", slider)
        if before == after:
            errors.append("epoch slider moved but the frame did not change")
    return errors


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    strict = "--strict" in argv
    argv = [a for a in argv if a != "--strict"]
    root = Path(argv[0] if argv else "_build/html")
    pages = sorted(p for p in root.glob("*.html") if p.name not in SKIP)
    if not pages:
        print(f"no HTML pages in {root}: build the book first")
        return 1
    shots = root / "_screenshots"
    shots.mkdir(exist_ok=True)
    browser = driver()
    failures = 0
    try:
        for page in pages:
            errors = check_page(browser, page, root, shots)
            sliders = len(browser.find_elements("css selector", "input[type=range]"))
            images = browser.execute_script("return document.images.length")
            view = reader_view(browser, page)
            reader = reader_errors(view, page)
            if strict:
                errors += reader
            phone_screenshot(browser, page, shots)
            status = "ok" if not errors else "FAIL"
            worst = max(view["ratios"], default=0.0)
            print(f"{status:4s} {page.name:24s} images={images:<3d} sliders={sliders} "
                  f"figures={len(view['ratios'])} worst-ratio={worst:.1f} "
                  f"code-cells={view['code']} findings-first={view['findings_first']}")
            for e in errors:
                print(f"     {e}")
            if not strict:
                for e in reader:
                    print(f"     reader: {e}")
            failures += bool(errors)
    finally:
        browser.quit()
    print(f"{len(pages) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
