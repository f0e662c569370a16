"""tools/compare_glue.py reads the glued values myst-nb stores and reports a changed one."""
import importlib.util

from .conftest import ROOT

spec = importlib.util.spec_from_file_location("compare_glue", ROOT / "tools" / "compare_glue.py")
compare_glue = importlib.util.module_from_spec(spec)
spec.loader.exec_module(compare_glue)


def _notebook(value: str, table: str) -> dict:
    glue = {"output_type": "display_data",
            "data": {"application/papermill.record/text/plain": repr(value)},
            "metadata": {"scrapbook": {"mime_prefix": "application/papermill.record/",
                                       "name": "runs"}}}
    shown = {"output_type": "display_data", "data": {"text/markdown": table}, "metadata": {}}
    return {"cells": [{"cell_type": "code", "metadata": {}, "source": "", "outputs": [glue, shown]}]}


def test_glued_values_are_read_and_a_change_is_reported(tmp_path, capsys):
    import json

    assert compare_glue.glued(_notebook("24", "| a |")) == {"runs": '{"text/plain": "\'24\'"}'}
    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()
    (tmp_path / "old" / "x.ipynb").write_text(json.dumps(_notebook("24", "| a |")))
    (tmp_path / "new" / "x.ipynb").write_text(json.dumps(_notebook("24", "| a |")))
    assert compare_glue.main(tmp_path / "old", tmp_path / "new") == 0
    (tmp_path / "new" / "x.ipynb").write_text(json.dumps(_notebook("25", "| a |")))
    assert compare_glue.main(tmp_path / "old", tmp_path / "new") == 1
    assert "runs" in capsys.readouterr().out
    (tmp_path / "new" / "x.ipynb").write_text(json.dumps(_notebook("24", "| b |")))
    assert compare_glue.main(tmp_path / "old", tmp_path / "new") == 1
