"""The ipywidgets explorer: controls follow the chosen run (nets of different depth)."""
import matplotlib

matplotlib.use("Agg")

from ibutils.book.explorer import explorer  # noqa: E402
from ibutils.results import RunResult  # noqa: E402

from .test_analysis import fake_run  # noqa: E402


def _shallow():
    deep = fake_run([1, 2, 3], variant="w3")
    return RunResult({**deep.payload, "layers": ["conv1", "softmax"]}, variant="w1",
                     factor="width", label="width/w1/mnist/s0")


def test_layer_choices_follow_the_variant_and_redraw_works():
    deep, shallow = fake_run([1, 2, 3], variant="w3"), _shallow()
    box = explorer([deep, shallow])
    controls = {c.description: c for row in box.children[:3] for c in row.children}
    assert list(controls["layers"].options) == deep.layers
    controls["network"].value = "w1"
    assert list(controls["layers"].options) == ["conv1", "softmax"]
    assert controls["layers"].value == ("conv1", "softmax")
    controls["epochs"].value = (1, 2)  # a window of the run: redraws without error
    controls["network"].value = "w3"
    assert list(controls["layers"].options) == deep.layers
