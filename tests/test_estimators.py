"""KDE bounds and matrix-based Renyi MI against closed forms and exact limits."""
import numpy as np
import pytest

from ibutils import mi
from ibutils.mi import renyi


def _true_mixture_mi_1d(centers, var):
    """I(X;T') for T' = c_X + N(0, var), X uniform on the centers, by quadrature (bits)."""
    grid = np.linspace(min(centers) - 12 * np.sqrt(var), max(centers) + 12 * np.sqrt(var), 200_001)
    dens = np.mean([np.exp(-(grid - c) ** 2 / (2 * var)) for c in centers], axis=0)
    dens /= np.sqrt(2 * np.pi * var)
    h_mix = -np.trapezoid(dens * np.log(np.where(dens > 0, dens, 1)), grid)
    h_noise = 0.5 * np.log(2 * np.pi * np.e * var)
    return (h_mix - h_noise) / np.log(2)


@pytest.mark.parametrize("centers", [[0.0, 1.0], [0.0, 0.3, 1.1, 1.5, 2.8], list(np.arange(8) * 0.5)])
def test_kde_bounds_bracket_the_gaussian_channel(centers):
    var = 0.1
    truth = _true_mixture_mi_1d(centers, var)
    t = np.array(centers)[:, None]
    r = mi.kde_mi(t, np.arange(len(centers)) % 2, noise_var=var)
    assert r.i_xt_lower - 1e-9 <= truth <= r.i_xt_upper + 1e-9
    assert r.i_xt_upper - r.i_xt_lower < 1.0  # and the bracket is informative


def test_kde_far_apart_points_give_log2_n_and_identical_give_zero():
    n = 64
    rng = np.random.default_rng(0)
    far = rng.normal(size=(n, 20)) * 100
    y = np.arange(n) % 4
    r = mi.kde_mi(far, y, noise_var=0.1)
    assert r.i_xt_upper == pytest.approx(np.log2(n), abs=1e-9)
    assert r.i_xt_lower == pytest.approx(np.log2(n), abs=1e-9)
    assert r.i_ty_upper == pytest.approx(2.0, abs=1e-9)  # T determines Y, H(Y) = 2
    same = mi.kde_mi(np.ones((n, 20)), y, noise_var=0.1)
    assert same.as_dict() == pytest.approx({k: 0.0 for k in same.as_dict()}, abs=1e-12)


def test_kde_label_clusters_give_h_y():
    rng = np.random.default_rng(1)
    y = np.repeat(np.arange(5), 40)
    t = (y[:, None] * 50.0 + rng.normal(scale=1e-3, size=(200, 3)))  # tight clusters per label
    r = mi.kde_mi(t, y, noise_var=0.1)
    for v in (r.i_xt_upper, r.i_xt_lower, r.i_ty_upper, r.i_ty_lower):
        assert v == pytest.approx(np.log2(5), abs=1e-3)


def test_kde_upper_at_least_lower_on_random_layers():
    rng = np.random.default_rng(2)
    for scale in (0.01, 0.3, 1.0, 3.0):
        t = np.tanh(rng.normal(scale=scale, size=(300, 50)))
        r = mi.kde_mi(t, rng.integers(0, 10, 300), noise_var=0.1)
        assert r.i_xt_upper >= r.i_xt_lower
        assert 0 <= r.i_xt_lower and r.i_xt_upper <= np.log2(300) + 1e-9


def test_kde_subsample_is_seeded():
    rng = np.random.default_rng(3)
    t, y = rng.normal(size=(500, 8)), rng.integers(0, 10, 500)
    a = mi.kde_mi(t, y, noise_var=0.1, n_samples=100, seed=7)
    b = mi.kde_mi(t, y, noise_var=0.1, n_samples=100, seed=7)
    assert a == b and a.n == 100


@pytest.mark.parametrize("bad", [0.0, -0.1, float("nan")])
def test_kde_bad_noise_var_named(bad):
    with pytest.raises(ValueError, match="noise_var"):
        mi.kde_mi(np.zeros((4, 2)), np.zeros(4, int), noise_var=bad)


def test_renyi_far_apart_distinct_points_give_log2_n():
    n = 100
    rng = np.random.default_rng(4)
    x = rng.normal(size=(n, 30)) * 100
    t = rng.normal(size=(n, 12)) * 100
    y = np.arange(n) % 10
    r = mi.renyi_mi(t, x, y, sigma=1.0)
    assert r.i_xt == pytest.approx(np.log2(n), abs=1e-6)
    assert r.i_ty == pytest.approx(np.log2(10), abs=1e-6)


def test_renyi_constant_layer_gives_zero():
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(80, 10)), rng.integers(0, 10, 80)
    r = mi.renyi_mi(np.zeros((80, 4)), x, y)
    assert r.i_xt == pytest.approx(0.0, abs=1e-9) and r.i_ty == pytest.approx(0.0, abs=1e-9)


def test_renyi_layer_equal_to_label_gives_label_entropy():
    y = np.repeat(np.arange(4), [10, 20, 30, 40])
    t = np.eye(4)[y] * 10.0
    alpha = 2.0
    r = mi.renyi_mi(t, np.random.default_rng(6).normal(size=(100, 5)), y, alpha=alpha, sigma=0.1)
    p = np.array([10, 20, 30, 40]) / 100
    renyi_h = np.log2(np.sum(p**alpha)) / (1 - alpha)
    assert r.i_ty == pytest.approx(renyi_h, abs=1e-9)


def test_renyi_entropy_of_identity_and_rank_one():
    n = 16
    assert mi.matrix_renyi_entropy(np.eye(n) / n, 1.01) == pytest.approx(np.log2(n), abs=1e-9)
    assert mi.matrix_renyi_entropy(np.ones((n, n)) / n, 1.01) == pytest.approx(0.0, abs=1e-9)


def test_renyi_label_dependence_and_finite_sample_bias():
    # A layer carrying the binary label far from its noise gives H(Y) = 1 bit; an independent
    # layer gives a positive bias (0.28, 0.18, 0.12 bits at N = 100, 400, 1600 with the default
    # kernel width) that shrinks with N.
    def case(n, dependent):
        rng = np.random.default_rng(8)
        t, x = rng.normal(size=(n, 6)), rng.normal(size=(n, 6))
        y = rng.integers(0, 2, n)
        return mi.renyi_mi(np.c_[t, 20.0 * y] if dependent else t, x, y).i_ty
    assert case(400, True) == pytest.approx(1.0, abs=0.02)
    bias = [case(n, False) for n in (100, 400, 1600)]
    assert bias[0] > bias[1] > bias[2] > 0 and bias[1] < 0.2


@pytest.mark.parametrize("alpha, sigma", [(1.01, None), (2.0, None), (3.0, 1.5), (1.01, 0.3)])
def test_renyi_fast_path_equals_full_eigensolves(alpha, sigma):
    # uneven classes, one of a single input, and one class absent: the label side is solved
    # per class block and in closed form, the input side once per inputs; same numbers.
    # (alpha > 1 only: below 1, lambda**alpha lifts the ~1e-17 rounding eigenvalues of the
    # full label matrices' null space, so the full eigensolve is the inexact one; see below)
    rng = np.random.default_rng(10)
    y = rng.choice([0, 1, 2, 4, 7], size=150, p=[0.5, 0.2, 0.15, 0.1, 0.05])
    y[0] = 9
    x = rng.normal(size=(150, 12))
    for t in (np.c_[rng.normal(size=(150, 5)), y], np.tanh(x[:, :8] @ rng.normal(size=(8, 8)))):
        ours = mi.renyi_mi(t, x, y, alpha=alpha, sigma=sigma)
        i_xt, i_ty = mi.renyi_mi_by_definition(t, x, y, alpha=alpha, sigma=sigma)
        assert ours.i_xt == pytest.approx(i_xt, abs=1e-10)
        assert ours.i_ty == pytest.approx(i_ty, abs=1e-10)


def test_label_entropy_closed_form_is_the_renyi_entropy_of_class_frequencies():
    y = np.array([3] * 6 + [1] * 3 + [8])
    a_y = (y[:, None] == y[None, :]).astype(float) / len(y)
    for alpha in (0.5, 1.01, 3.0):
        p = np.array([0.6, 0.3, 0.1])
        expected = np.log2(np.sum(p**alpha)) / (1 - alpha)
        assert mi.label_renyi_entropy(y, alpha) == pytest.approx(expected, abs=1e-12)
        # the eigensolver agrees for alpha > 1; for alpha < 1 its rounding noise in the
        # null space counts (here 2e-8 bits), which the closed form does not have
        full = mi.matrix_renyi_entropy(a_y, alpha)
        assert full == pytest.approx(expected, abs=1e-12 if alpha > 1 else 1e-6)


def test_renyi_input_memo_never_returns_another_inputs_values():
    # layers estimated against inputs x1, then x2, then x1 again equal fresh computations
    rng = np.random.default_rng(11)
    x1, x2 = rng.normal(size=(60, 4)), rng.normal(size=(60, 4))
    t, y = rng.normal(size=(60, 3)), rng.integers(0, 3, 60)
    fresh = []
    for x in (x1, x2, x1):
        renyi._INPUT_MEMO.clear()
        fresh.append(mi.renyi_mi(t, x, y))
    renyi._INPUT_MEMO.clear()
    chained = [mi.renyi_mi(t, x, y) for x in (x1, x2, x1)]
    assert chained == fresh
    assert fresh[0].i_xt != fresh[1].i_xt


@pytest.mark.parametrize("kwargs, match", [
    ({"alpha": 1.0}, "alpha"), ({"alpha": -2.0}, "alpha"), ({"sigma": 0.0}, "sigma"),
    ({"n_samples": 1}, "n_samples"),
])
def test_renyi_bad_arguments_named(kwargs, match):
    rng = np.random.default_rng(9)
    with pytest.raises(ValueError, match=match):
        mi.renyi_mi(rng.normal(size=(10, 2)), rng.normal(size=(10, 2)), np.arange(10) % 2, **kwargs)
