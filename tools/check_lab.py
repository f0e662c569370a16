"""Check a chapter the way a Jupyter user meets it: JupyterLab on loopback, the chapter opened
in headless Chromium, run on the stored results, a control of its explorer moved, and its
figure redrawn.

    python tools/check_lab.py [chapter] [--out DIR]      (default: width, DIR /tmp/lab-check)

Starts `jupyter lab` on 127.0.0.1 with a random token in a temporary folder holding a copy
of ``notebooks/<chapter>.py``, with the "Jupytext Notebook" viewer as the default for
``.py`` files (as ``make lab`` sets it), opens the chapter, runs every cell from the Run
menu, waits for the explorer's controls, reads the source of the explorer's figure, picks
another network in its "network" control and waits for the figure to change. Its "Key
findings" must show numbers, not glue roles. Screenshots of each step go to DIR. Exits 1 on
any failure. Needs JupyterLab (``make lab`` or requirements.txt), Debian's ``chromium`` and
``chromium-driver`` and ``selenium``.
"""
from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from check_book import driver  # noqa: E402  (the same headless Chromium)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, every: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise TimeoutError(f"gave up after {timeout:.0f} s waiting for {what}")


def start_lab(folder: Path, port: int, token: str) -> subprocess.Popen:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "JUPYTER_PLATFORM_DIRS": "1",
           "JUPYTERLAB_SETTINGS_DIR": str(folder / "settings")}
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1",
           f"--port={port}", f"--IdentityProvider.token={token}", "--allow-root",
           f"--ServerApp.root_dir={folder}", "--LabApp.news_url=", "--ServerApp.open_browser=False",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    proc = subprocess.Popen(cmd, env=env, cwd=folder, stdout=subprocess.DEVNULL,
                            stderr=open(folder / "lab.log", "w"))
    url = f"http://127.0.0.1:{port}/api/status?token={token}"

    def up():
        try:
            return urllib.request.urlopen(url, timeout=2).status == 200
        except OSError:
            return proc.poll() is not None and sys.exit(f"jupyter lab exited: "
                                                        f"{(folder / 'lab.log').read_text()[-2000:]}")
    wait_for(up, 90, "JupyterLab to answer")
    return proc


def menu(browser, top: str, item: str) -> None:
    """Click a menu-bar entry, then one of its items (by their labels), as a user would."""
    entries = [e for e in browser.find_elements("css selector", ".lm-MenuBar-item")
               if e.text.strip() == top]
    entries[0].click()
    found = wait_for(lambda: [e for e in browser.find_elements("css selector", ".lm-Menu-item")
                              if e.text.strip().startswith(item)], 10, f"menu {item!r}")
    found[0].click()


def explorer_image(browser) -> str:
    """The source of the explorer's figure (the last image in a widget output area)."""
    return browser.execute_script("""
        const imgs = [...document.querySelectorAll('.jupyter-widgets-output-area img, .widget-output img')];
        return imgs.length ? imgs[imgs.length - 1].src.slice(-200) : '';""")


def check(chapter: str, out: Path) -> list[str]:
    out.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="lab-check-"))
    shutil.copy(ROOT / "notebooks" / f"{chapter}.py", folder / f"{chapter}.py")
    # what `make lab` sets: .py files open with jupytext's notebook viewer by default
    settings = folder / "settings" / "@jupyterlab" / "docmanager-extension"
    settings.mkdir(parents=True)
    (settings / "plugin.jupyterlab-settings").write_text(
        '{"defaultViewers": {"python": "Jupytext Notebook"}}')
    port, token = free_port(), secrets.token_hex(16)
    lab = start_lab(folder, port, token)
    browser = driver()
    errors = []
    try:
        browser.get(f"http://127.0.0.1:{port}/lab/tree/{chapter}.py?token={token}")
        wait_for(lambda: browser.find_elements("css selector", ".jp-NotebookPanel .jp-Cell"),
                 120, "the notebook to open")
        wait_for(lambda: browser.execute_script(
            "return document.querySelector('.jp-Notebook-ExecutionIndicator, "
            ".jp-KernelStatus') !== null"), 60, "a kernel")
        time.sleep(3)  # the kernel starting
        browser.save_screenshot(str(out / "1-opened.png"))
        menu(browser, "Run", "Run All Cells")
        wait_for(lambda: browser.find_elements("css selector", ".widget-dropdown select"), 600,
                 "the explorer's controls (running the chapter)", every=2)
        before = wait_for(lambda: explorer_image(browser), 120, "the explorer's figure")
        browser.save_screenshot(str(out / "2-explorer.png"))
        moved = browser.execute_script("""
            const sel = [...document.querySelectorAll('.widget-dropdown')]
                .find(d => (d.querySelector('label') || {}).textContent === 'network')
                .querySelector('select');
            sel.selectedIndex = (sel.selectedIndex + 1) % sel.options.length;
            sel.dispatchEvent(new Event('change', {bubbles: true}));
            return sel.options[sel.selectedIndex].textContent;""")
        try:
            wait_for(lambda: explorer_image(browser) not in ("", before), 120,
                     f"the figure to change after choosing {moved!r}")
        except TimeoutError as exc:
            errors.append(str(exc))
        browser.save_screenshot(str(out / "4-after-change.png"))
        browser.execute_script("""  // JupyterLab renders only the cells in view: go to the top
            const panel = document.querySelector('.jp-NotebookPanel .jp-WindowedPanel-outer')
                || document.querySelector('.jp-NotebookPanel-notebook');
            panel.scrollTop = 0;""")
        findings = wait_for(lambda: browser.execute_script("""
            const box = [...document.querySelectorAll('.key-findings')][0];
            return box ? box.innerText : '';"""), 30, "the Key findings box", every=1) \
            if browser.find_elements("css selector", ".jp-NotebookPanel") else ""
        browser.save_screenshot(str(out / "5-findings.png"))
        if not findings:
            errors.append("no Key findings box in the notebook's outputs")
        elif "{glue" in findings or "(not computed)" in findings:
            errors.append(f"Key findings show unfilled numbers: {findings[:200]!r}")
    except Exception as exc:  # report with the screenshots taken so far
        browser.save_screenshot(str(out / "failure.png"))
        errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        browser.quit()
        lab.terminate()
        try:
            lab.wait(20)
        except subprocess.TimeoutExpired:
            lab.kill()
        shutil.rmtree(folder, ignore_errors=True)
    return errors


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    out = Path("/tmp/lab-check")
    if "--out" in argv:
        i = argv.index("--out")
        out = Path(argv[i + 1])
        del argv[i:i + 2]
    chapter = argv[0] if argv else "width"
    errors = check(chapter, out)
    for e in errors:
        print(f"FAIL {e}")
    print("ok: the chapter ran in JupyterLab and its explorer redrew its figure"
          if not errors else f"{len(errors)} failure(s); screenshots in {out}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
