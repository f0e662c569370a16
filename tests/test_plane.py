"""`ibutils.plane.InformationPlane`: the information plane of any PyTorch model, against
known answers and against the study's own recorder on a paper network."""
import matplotlib
import numpy as np
import pytest
import torch
from torch import nn

from ibutils.architecture import get_variant
from ibutils.config import DEFAULT_ESTIMATORS, PAPER_ID, binning, renyi
from ibutils.data import Split
from ibutils.models import build_cnn
from ibutils.plane import InformationPlane
from ibutils.record import estimates

matplotlib.use("Agg")


def _mlp(scale: float) -> nn.Module:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 3), nn.Tanh(), nn.Linear(3, 2))
    with torch.no_grad():
        model[0].weight.copy_(scale * torch.eye(3))
        model[0].bias.zero_()
    return model


def test_known_answers_collapsed_and_separated_layers():
    # 8 inputs at the corners of a cube, labels by the first coordinate
    corners = torch.tensor([[a, b, c] for a in (-1.0, 1.0) for b in (-1.0, 1.0)
                            for c in (-1.0, 1.0)])
    y = (corners[:, 0] > 0).long()
    est = binning(bin_width=0.5)
    # weight 0: every input maps to tanh(0) = 0, one bin: nothing about X or Y
    plane = InformationPlane(_mlp(0.0), {"hidden": "1"}, corners, y, estimators=[est],
                             output=None)
    plane.record(0)
    assert plane.mi("test", est.id, "hidden", "i_xt")[0] == pytest.approx(0.0)
    # weight 5: tanh(+-5) keeps every corner apart: log2 8 = 3 bits, and all of H(Y) = 1 bit
    plane = InformationPlane(_mlp(5.0), {"hidden": "1"}, corners, y, estimators=[est],
                             output=None)
    plane.record(0)
    assert plane.mi("test", est.id, "hidden", "i_xt")[0] == pytest.approx(3.0)
    assert plane.mi("test", est.id, "hidden", "i_ty")[0] == pytest.approx(1.0)
    assert plane.h_y() == pytest.approx(1.0)


def test_matches_the_study_recorder_on_a_paper_network():
    torch.manual_seed(1)
    model = build_cnn(get_variant("depth", "d2"))
    x, y = torch.rand(120, 1, 28, 28), torch.arange(120) % 10
    ests = DEFAULT_ESTIMATORS + (renyi(n_samples=60),)
    plane = InformationPlane(model, {"conv1": "net.conv1", "conv2": "net.conv2"}, x, y,
                             estimators=ests)
    rec = plane.record(0)
    ours = estimates(model, Split(x, y), ests, epoch=0)
    assert plane.layers == ["conv1", "conv2", "output"]
    for est in ests:
        for layer, study_layer in (("conv1", "conv1"), ("conv2", "conv2"),
                                   ("output", "softmax")):
            for q in ("i_xt", "i_ty"):
                assert rec["mi"][est.id][layer][q] == pytest.approx(
                    ours[est.id][study_layer][q], abs=1e-9), (est.id, layer, q)


def test_records_over_training_and_draws_with_the_books_figures():
    from ibutils import plots
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(16, 8), nn.Tanh(), nn.Linear(8, 4))
    x, y = torch.randn(64, 4, 4), torch.arange(64) % 4
    plane = InformationPlane(model, ["2"], x, y, estimators=[binning(n_bins=10)])
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    for epoch in range(6):
        if epoch in (0, 2, 5):
            plane.record(epoch)
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    assert plane.epochs().tolist() == [0, 2, 5]
    assert model.training  # recording put it back in training mode
    ax = plots.info_plane(plane, estimator=binning(n_bins=10).id)
    assert len(ax.collections) >= 2
    data = plane.to_dict()
    assert data["layers"] == ["2", "output"] and len(data["records"]) == 3


@pytest.mark.parametrize("kwargs, match", [
    ({"layers": ["nope"]}, r"layers: got 'nope', allowed names of the model's modules"),
    ({"output": "probabilities"}, "output: got 'probabilities'"),
    ({"estimators": [renyi(fixed_width=True)]}, "only the study's runner serves"),
    ({"batch_size": 0}, "batch_size: got 0"),
])
def test_bad_input_is_named(kwargs, match):
    args = {"layers": ["1"], "estimators": [binning(n_bins=10)], **kwargs}
    with pytest.raises(ValueError, match=match):
        InformationPlane(_mlp(1.0), args.pop("layers"), torch.zeros(4, 3),
                         torch.arange(4), **args)


def test_epochs_must_move_forward_and_lookups_name_what_exists():
    plane = InformationPlane(_mlp(1.0), ["1"], torch.randn(8, 3), torch.arange(8) % 2,
                             estimators=[binning(n_bins=10)])
    plane.record(3)
    with pytest.raises(ValueError, match="epoch: got 3, allowed an epoch after"):
        plane.record(3)
    with pytest.raises(ValueError, match="allowed estimators"):
        plane.mi("test", PAPER_ID, "1", "i_xt")


def test_a_recorded_plane_round_trips_through_json():
    import json
    plane = InformationPlane(_mlp(2.0), ["1"], torch.randn(16, 3), torch.arange(16) % 2,
                             estimators=[binning(n_bins=10)])
    plane.record(0)
    plane.record(4)
    back = InformationPlane.from_dict(json.loads(json.dumps(plane.to_dict())))
    assert back.layers == plane.layers and back.n == plane.n and back.h_y() == plane.h_y()
    est = binning(n_bins=10).id
    np.testing.assert_array_equal(back.mi("test", est, "1", "i_xt"),
                                  plane.mi("test", est, "1", "i_xt"))
    assert back.to_dict() == plane.to_dict()
    with pytest.raises(TypeError, match="has no model"):
        back.record(5)
