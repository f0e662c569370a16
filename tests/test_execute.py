"""tools/execute_notebooks.py: a cell that hangs becomes a timeout, and the notebook is run again."""
import importlib.util

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow


def _tool():
    spec = importlib.util.spec_from_file_location("execute_notebooks",
                                                  ROOT / "tools" / "execute_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


NOTEBOOK = '''# %%
import os, time
marker = {marker!r}
if not os.path.exists(marker):  # the first execution hangs, a second one does not
    open(marker, "w").close()
    time.sleep(120)
print("done")
'''


def test_a_hanging_cell_times_out_and_the_notebook_runs_again(tmp_path, monkeypatch):
    tool = _tool()
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    (notebooks / "hang.py").write_text(NOTEBOOK.format(marker=str(tmp_path / "marker")))
    monkeypatch.setattr(tool, "NOTEBOOKS", notebooks)
    out, build = tmp_path / "out", tmp_path / "build"
    with pytest.raises(TimeoutError):
        tool.execute_with_retries("hang", out, {}, build, cell_timeout=5, retries=0)
    (tmp_path / "marker").unlink()
    seconds = tool.execute_with_retries("hang", out, {}, build, cell_timeout=5, retries=1)
    assert seconds < 60 and "done" in (out / "hang.ipynb").read_text()
