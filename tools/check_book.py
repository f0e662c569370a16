"""Check the built book the way a reader sees it: every page in headless Chromium.

    python tools/check_book.py [_build/html]

For every HTML page of the book: the page renders (a heading and body text), every image has
loaded (``complete`` and a natural width), every internal link points to an existing file and
anchor, equations are typeset by the vendored MathJax (no network), and on pages with an
epoch slider (matplotlib's ``to_jshtml``) moving the slider changes the frame shown.
A screenshot of each page goes to ``<html>/_screenshots/``. Exits 1 on any failure.

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
    argv = sys.argv[1:] if argv is None else argv
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
            status = "ok" if not errors else "FAIL"
            print(f"{status:4s} {page.name:24s} images={images:<3d} sliders={sliders}")
            for e in errors:
                print(f"     {e}")
            failures += bool(errors)
    finally:
        browser.quit()
    print(f"{len(pages) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
