"""Geometric companions (saturation, class clustering, spacing) against hand-computed and
limiting cases."""
import numpy as np
import pytest

from ibutils.config import estimator_set, geometry, spacing
from ibutils.geometry import class_separation, inactive_fraction, saturated_fraction
from ibutils.geometry import spacing as spacing_of

from .conftest import needs_data


def test_two_tight_clusters_by_hand():
    t = np.array([[0.0], [1.0], [10.0], [11.0]])
    ratio, sil = class_separation(t, [0, 0, 1, 1])
    # within: |0-1| = |10-11| = 1; between: 10, 11, 9, 10 -> mean 10
    assert ratio == pytest.approx(1 / 10)
    # silhouettes (b - a) / b with a = 1: b = 10.5, 9.5, 9.5, 10.5
    assert sil == pytest.approx(np.mean([9.5 / 10.5, 8.5 / 9.5, 8.5 / 9.5, 9.5 / 10.5]))


def test_labels_independent_of_the_representation():
    rng = np.random.default_rng(0)
    t = rng.normal(size=(600, 20))
    ratio, sil = class_separation(t, rng.integers(0, 5, size=600))
    assert ratio == pytest.approx(1.0, abs=0.01)
    assert abs(sil) < 0.03


def test_separated_classes_approach_the_limits():
    rng = np.random.default_rng(1)
    y = np.repeat(np.arange(4), 50)
    t = 100.0 * np.eye(4)[y] + 0.01 * rng.normal(size=(200, 4))
    ratio, sil = class_separation(t, y)
    assert ratio < 1e-3 and sil > 0.999


def test_spacing_by_hand():
    t = np.array([[0.0], [1.0], [3.0], [6.0]])
    r = spacing_of(t, None, [0, 0, 1, 1])
    # nearest neighbours 1, 1, 2, 3 -> median 1.5; within |0-1|, |3-6| -> 2;
    # between 3, 6, 2, 5 -> 4
    assert (r.nearest, r.within, r.between, r.n) == pytest.approx((1.5, 2.0, 4.0, 4))
    # distances scale with the representation, as a noise standard deviation would
    scaled = spacing_of(7.0 * t, None, [0, 0, 1, 1])
    assert (scaled.nearest, scaled.within, scaled.between) == pytest.approx((10.5, 14.0, 28.0))
    assert r.within / r.between == pytest.approx(class_separation(t, [0, 0, 1, 1])[0])


def test_spacing_of_a_gaussian_cloud():
    # nearest-neighbour distance of N points uniform on a unit circle: about 2 pi / N apart
    # (median of the smaller of two gaps); mean distance between two uniform points: 4 / pi
    n = 2000
    angles = np.random.default_rng(2).uniform(0, 2 * np.pi, n)
    t = np.c_[np.cos(angles), np.sin(angles)]
    r = spacing_of(t, None, np.arange(n) % 2)
    # the gaps are exponential with mean 2 pi / n; the smaller of two has median ln2 pi / n
    assert r.nearest == pytest.approx(np.log(2) * np.pi / n, rel=0.1)
    assert r.between == pytest.approx(4 / np.pi, rel=0.02)
    assert r.within == pytest.approx(4 / np.pi, rel=0.02)


def test_saturated_fraction_counts_units_beyond_threshold():
    t = np.array([[0.95, -0.99, 0.1], [0.0, 0.91, -0.5]])
    assert saturated_fraction(t) == pytest.approx(3 / 6)
    assert saturated_fraction(t, threshold=0.96) == pytest.approx(1 / 6)


def test_inactive_fraction_counts_exact_zeros_only():
    t = np.maximum(np.array([[-1.0, 0.5, 0.0], [2.0, -1e-9, 1e-9]]), 0.0)  # a ReLU layer
    assert inactive_fraction(t) == pytest.approx(3 / 6)
    assert inactive_fraction(np.tanh(np.array([[1e-9, -0.3]]))) == 0.0


def test_bad_inputs_name_the_parameter():
    with pytest.raises(ValueError, match="y: got a single class"):
        class_separation(np.zeros((3, 2)), [1, 1, 1])
    with pytest.raises(ValueError, match="threshold: got 0"):
        geometry(threshold=0)
    with pytest.raises(ValueError, match="n_samples: got 1"):
        geometry(n_samples=1)
    with pytest.raises(ValueError, match="n_samples: got 1"):
        spacing(n_samples=1)
    with pytest.raises(ValueError, match="t, y: got 3 rows of 1 classes"):
        spacing_of(np.zeros((3, 2)), None, [1, 1, 1])


@needs_data
def test_geometry_is_recorded_like_an_estimator(tmp_store):
    from ibutils.runner import run_study
    (r,) = run_study("width", ["mnist"], profile="smoke", variants=["w3"], epochs=2,
                     estimators=estimator_set(["default", "geometry", "spacing"]),
                     progress=False)
    est = geometry().id
    for layer in r.layers:
        sat = r.mi("test", est, layer, "saturated")
        assert np.all((0 <= sat) & (sat <= 1))
        # tanh(0) = 0 exactly: at init (zero biases) the blank background of an MNIST digit
        # gives exact zeros; once Adam has moved the biases, no unit sits at exactly 0
        inactive = r.mi("test", est, layer, "inactive")
        assert np.all((0 <= inactive) & (inactive <= 1)) and inactive[-1] == 0
        sil = r.mi("test", est, layer, "silhouette")
        assert np.all((-1 <= sil) & (sil <= 1))
    # training makes the softmax output cluster by class: the ratio falls from epoch 0
    ratio = r.mi("train", est, "softmax", "within_between")
    assert ratio[-1] < ratio[0] <= 1.05
    # the spacing's ratio is the same clustering, its distances ordered as they must be
    gap = spacing().id
    np.testing.assert_allclose(r.mi("train", gap, "softmax", "within")
                               / r.mi("train", gap, "softmax", "between"), ratio, rtol=1e-9)
    for layer in r.layers:
        near, within = r.mi("test", gap, layer, "nearest"), r.mi("test", gap, layer, "within")
        assert np.all((0 < near) & (near < within))
