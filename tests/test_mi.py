"""Binning estimator against exact, hand-computable entropies."""
import numpy as np
import pytest

from ibutils import mi
from ibutils.mi import _binning_engine


def test_all_rows_distinct_gives_log2_n():
    n = 1000
    t = np.arange(n, dtype=np.float32)[:, None] * np.ones((1, 5), np.float32)  # distinct rows
    y = np.arange(n) % 10
    r = mi.binning_mi(t, y, bin_width=0.5)
    assert r.n_patterns == n
    assert r.i_xt == pytest.approx(np.log2(n), abs=1e-12)
    assert r.h_t == pytest.approx(np.log2(n), abs=1e-12)
    assert r.i_ty == pytest.approx(np.log2(10), abs=1e-12)  # T determines Y
    assert r.saturated


def test_rows_depending_only_on_label_give_h_y():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 4, size=2000)
    t = np.eye(4, dtype=np.float32)[y] * 3.0  # the label, one-hot
    r = mi.binning_mi(t, y, bin_width=1.0)
    _, counts = np.unique(y, return_counts=True)
    p = counts / counts.sum()
    h_y = float(-(p * np.log2(p)).sum())
    assert r.n_patterns == 4
    assert r.i_ty == pytest.approx(h_y, abs=1e-12)
    assert r.i_xt == pytest.approx(h_y, abs=1e-12)
    assert not r.saturated


def test_constant_layer_gives_zero():
    t = np.full((500, 7), 0.3, dtype=np.float32)
    y = np.arange(500) % 10
    for kwargs in ({"bin_width": 0.67}, {"n_bins": 30}):
        r = mi.binning_mi(t, y, **kwargs)
        assert (r.i_xt, r.i_ty, r.h_t, r.n_patterns) == (0.0, 0.0, 0.0, 1)


def test_label_parity_exact_values():
    # T = y mod 2 with y uniform on 0..3: H(T) = 1, I(T;Y) = 1, and I(X;T) = 1.
    y = np.repeat(np.arange(4), 250)
    t = (y % 2).astype(np.float32)[:, None]
    r = mi.binning_mi(t, y, bin_width=1.0)
    assert (r.h_t, r.i_ty, r.i_xt) == pytest.approx((1.0, 1.0, 1.0), abs=1e-12)


def test_independent_of_label_gives_zero_i_ty():
    # Every label sees each of 8 patterns equally often: I(T;Y) = 0 exactly, H(T) = 3.
    y = np.repeat(np.arange(10), 80)
    t = np.tile(np.arange(8, dtype=np.float32), 100)[:, None]
    r = mi.binning_mi(t, y, bin_width=1.0)
    assert r.h_t == pytest.approx(3.0, abs=1e-12)
    assert r.i_ty == pytest.approx(0.0, abs=1e-12)


def test_repeated_inputs_h_t_given_x():
    # Each input x appears twice, once with T = 0 and once with T = 1: H(T|X) = 1, H(T) = 1,
    # so I(X;T) = 0.
    n = 300
    x_ids = np.repeat(np.arange(n), 2)
    t = np.tile([0.0, 1.0], n).astype(np.float32)[:, None]
    y = x_ids % 3
    r = mi.binning_mi(t, y, bin_width=1.0, x_ids=x_ids)
    assert r.h_t == pytest.approx(1.0)
    assert r.i_xt == pytest.approx(0.0, abs=1e-12)


def test_paper_width_gives_four_bins_per_tanh_unit_and_11_softmax_patterns():
    a = np.tanh(np.linspace(-20, 20, 100_001, dtype=np.float32))[:, None]
    assert len(np.unique(mi.bin_indices(a, bin_width=0.67))) == 4
    assert mi.binning_alphabet_cap(1, bin_width=0.67) == pytest.approx(2.0)
    assert mi.softmax_alphabet_cap(10, 0.67) == pytest.approx(np.log2(11))
    # softmax units take 2 bins each at 0.67, so a simplex row takes one of 11 patterns
    rng = np.random.default_rng(1)
    logits = rng.normal(scale=5, size=(20_000, 10))
    p = np.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    r = mi.binning_mi(p.astype(np.float32), rng.integers(0, 10, 20_000), bin_width=0.67)
    assert r.n_patterns <= 11
    assert r.h_t <= np.log2(11) + 1e-12


def test_bin_width_and_bin_count_agree_on_aligned_grid():
    # Values far from every bin edge, layer range [0, 0.999]: 10 bins over the range and width
    # 0.1 put every value in the same bin, so every estimate agrees.
    rng = np.random.default_rng(2)
    t = ((rng.integers(0, 10, size=(3000, 6)) + 0.5) / 10).astype(np.float32)
    t[0, 0], t[1, 0] = 0.0, 0.999
    y = rng.integers(0, 10, 3000)
    a = mi.binning_mi(t, y, bin_width=0.1)
    b = mi.binning_mi(t, y, n_bins=10)
    assert np.array_equal(mi.bin_indices(t, bin_width=0.1), mi.bin_indices(t, n_bins=10))
    assert (a.i_xt, a.i_ty, a.n_patterns) == (b.i_xt, b.i_ty, b.n_patterns)


def _same_partition(a, b):
    pairs = np.unique(np.stack([a, b], 1), axis=0)
    return len(pairs) == len(np.unique(a)) == len(np.unique(b))


@pytest.fixture(params=["numpy", "compiled"])
def hash_path(request, monkeypatch):
    """Run a test through the numpy hash and through the one-pass C++ kernel of
    `ibutils.mi._binning_engine.binhash` (skipped where it cannot be built)."""
    if request.param == "numpy":
        monkeypatch.setattr(_binning_engine, "_compiled_hashes", lambda *a: None)
    else:
        if _binning_engine.binhash() is None:
            pytest.skip("no C++ compiler: the compiled binning is not built")
    return request.param


@pytest.mark.parametrize("rule", [{"bin_width": 0.67}, {"bin_width": 0.05}, {"n_bins": 30},
                                  {"n_bins": 2}])
def test_hashed_symbols_match_exact_row_uniqueness(rule, hash_path):
    # rows drawn from 300 prototypes, so many rows repeat; values also sit exactly on bin edges
    rng = np.random.default_rng(3)
    protos = np.tanh(rng.normal(scale=2, size=(300, 61))).astype(np.float32)
    protos[:, :5] = np.float32(0.67) * rng.integers(-1, 2, size=(300, 5))
    t = protos[rng.integers(0, 300, size=4000)]
    _, exact = np.unique(mi.bin_indices(t, **rule), axis=0, return_inverse=True)
    assert _same_partition(mi.binned_symbols(t, **rule), exact.reshape(-1))


@pytest.mark.parametrize("keys", ["zero", "one-unit"])
def test_hash_collisions_are_split_exactly(monkeypatch, keys, hash_path):
    # force collisions: all-zero keys give every row the same hash; keys that only see unit 0
    # merge every pair of rows that agree there. The partition must still be exact.
    rng = np.random.default_rng(5)
    protos = np.tanh(rng.normal(scale=2, size=(50, 40))).astype(np.float32)
    t = protos[rng.integers(0, 50, size=2000)]

    def colliding(d, max_value):
        k = np.zeros((d, 2), np.float32)
        if keys == "one-unit":
            k[0] = 1.0
        return k
    def colliding32(d):
        k = np.zeros((2, d), np.int32)
        if keys == "one-unit":
            k[:, 0] = 1
        return k
    _, exact = np.unique(mi.bin_indices(t, bin_width=0.67), axis=0, return_inverse=True)
    monkeypatch.setattr(_binning_engine, "_hash_keys", colliding)
    monkeypatch.setattr(_binning_engine, "_hash_keys32", colliding32)
    symbols = mi.binned_symbols(t, bin_width=0.67)
    assert _same_partition(symbols, exact.reshape(-1))
    assert sorted(np.unique(symbols)) == list(range(len(np.unique(exact))))  # dense ids


def test_fixed_width_range_estimate_is_checked(hash_path):
    # the fixed-width path sizes its hash keys from every 64th row; values far outside that
    # sample (row 1, never sampled) must trigger a rehash, not a wrong partition, and a NaN
    # outside the sample must still be rejected
    rng = np.random.default_rng(6)
    protos = np.tanh(rng.normal(scale=2, size=(40, 300))).astype(np.float32)
    t = protos[rng.integers(0, 40, size=3000)]
    t[1, :] = 500.0  # bin 746 at width 0.67, against |bin| <= 2 in the sample
    t[2, :] = 500.0  # a duplicate of row 1
    _, exact = np.unique(mi.bin_indices(t, bin_width=0.67), axis=0, return_inverse=True)
    assert _same_partition(mi.binned_symbols(t, bin_width=0.67), exact.reshape(-1))
    t[1, 5] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        mi.binned_symbols(t, bin_width=0.67)


def test_plug_in_entropy_matches_formula():
    counts = np.array([1, 2, 3, 4])
    p = counts / 10
    assert mi.entropy_from_counts(counts) == pytest.approx(-(p * np.log2(p)).sum(), abs=1e-15)


@pytest.mark.parametrize("kwargs, match", [
    ({"bin_width": 0.0}, "bin_width"), ({"bin_width": -1.0}, "bin_width"),
    ({"n_bins": 0}, "n_bins"), ({}, "exactly one"), ({"bin_width": 1.0, "n_bins": 3}, "exactly one"),
    ({"equal_mass": 0}, "equal_mass"),
])
def test_bad_binning_arguments_are_named(kwargs, match):
    with pytest.raises(ValueError, match=match):
        mi.binning_mi(np.zeros((4, 2)), np.zeros(4, int), **kwargs)


def test_nan_activations_rejected():
    t = np.zeros((4, 2), np.float32)
    t[1, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        mi.binning_mi(t, np.zeros(4, int), bin_width=1.0)


def test_equal_mass_bins_hold_equal_shares():
    # one unit, 1,000 distinct values, 8 equal-mass bins: 125 values each, H(T) = 3 bits
    t = np.random.default_rng(4).permutation(1000).astype(np.float32)[:, None] ** 2
    r = mi.binning_mi(t, np.arange(1000) % 2, equal_mass=8)
    assert r.n_patterns == 8 and r.h_t == pytest.approx(3.0, abs=1e-12)
    counts = np.bincount(mi.bin_indices(t, equal_mass=8).ravel())
    assert counts.tolist() == [125] * 8


def test_equal_mass_with_repeated_values_merges_bins():
    # half the values are exactly zero (a ReLU layer): edges collapse, nothing breaks
    t = np.r_[np.zeros(500), np.arange(1, 501)].astype(np.float32)[:, None]
    idx = mi.bin_indices(t, equal_mass=10)
    assert len(np.unique(idx[:500])) == 1  # all zeros share a bin
    r = mi.binning_mi(t, np.arange(1000) % 2, equal_mass=10)
    assert 1 < r.n_patterns <= 10 and r.h_t < np.log2(10)


@pytest.mark.parametrize("d, scale, rule, plan", [
    (61, 2.0, {"bin_width": 0.67}, np.float32),  # tanh at the paper's width: float32 GEMM
    (6000, 2.0, {"n_bins": 30}, np.float32),  # wide layer, 30 bins: still float32, 6 key bits
    (6000, 50.0, {"bin_width": 0.05}, np.float64),  # large indices (ReLU-like): float64 plan
])
def test_both_hash_plans_match_exact_row_uniqueness(d, scale, rule, plan, monkeypatch):
    monkeypatch.setattr(_binning_engine, "_compiled_hashes", lambda *a: None)  # the numpy path's plans
    rng = np.random.default_rng(4)
    protos = (scale * rng.random(size=(200, d))).astype(np.float32)
    if scale < 10:
        protos = np.tanh(protos - 1)
    t = protos[rng.integers(0, 200, size=3000)]
    t[::7, 0] += np.float32(0.5)  # near-duplicates differing in one unit
    _, max_value, _ = _binning_engine.make_binner(t, rule.get("bin_width"), rule.get("n_bins"))
    assert _binning_engine._hash_keys(d, max_value).dtype == plan
    _, exact = np.unique(mi.bin_indices(t, **rule), axis=0, return_inverse=True)
    assert _same_partition(mi.binned_symbols(t, **rule), exact.reshape(-1))


@pytest.mark.parametrize("case", ["tanh", "relu", "crowded", "on-edges"])
def test_edge_grid_lookup_equals_binary_search(case):
    """The grid lookup of equal-mass bins gives np.searchsorted's answer for every value,
    including values exactly on an edge and cells crowded with edges (saturated tanh)."""
    rng = np.random.default_rng(3)
    t = {"tanh": np.tanh(rng.normal(size=(300, 200))),
         "relu": np.maximum(rng.normal(size=(300, 200)), 0),
         "crowded": np.tanh(8 * rng.normal(size=(300, 200))),
         "on-edges": rng.integers(0, 5, size=(300, 200)) / 4}[case].astype(np.float32)
    edges = _binning_engine._equal_mass_edges(t, 30)
    to_bins = _binning_engine._edge_binner(edges, float(t.min()), float(t.max()))
    out = np.empty_like(t)
    to_bins(t, out)
    np.testing.assert_array_equal(out, np.searchsorted(edges, t, side="right"))
    if case == "crowded":  # the fallback path is exercised
        cells = np.floor((edges - t.min()) * np.float32(_binning_engine.EDGE_GRID / (t.max() - t.min())))
        assert np.bincount(cells.astype(int)).max() > _binning_engine.EDGE_SHARED


@pytest.mark.parametrize("rule", [{"bin_width": 0.67}, {"n_bins": 30}])
def test_compiled_binning_matches_numpy_on_wide_layers(rule, hash_path):
    # a ReLU-like wide layer with repeats and near-duplicates: the partition stays exact
    rng = np.random.default_rng(8)
    protos = np.maximum(rng.normal(scale=3, size=(150, 2000)), 0).astype(np.float32)
    t = protos[rng.integers(0, 150, size=2500)]
    t[::11, 3] += np.float32(0.67)
    _, exact = np.unique(mi.bin_indices(t, **rule), axis=0, return_inverse=True)
    assert _same_partition(mi.binned_symbols(t, **rule), exact.reshape(-1))


def test_huge_bin_indices_are_exact_or_named(hash_path):
    # bins of 5 million: the kernel hashes them (32-bit wrapping keys), the numpy path has too
    # few exact float bits and says so; bins beyond 1e9 leave the kernel (it flags the row)
    # for the numpy path, which says so too. Never a wrong partition.
    rng = np.random.default_rng(9)
    protos = np.tanh(rng.normal(size=(100, 2000))).astype(np.float32)
    t = protos[rng.integers(0, 100, size=2500)]
    t[5, 7] = t[6, 7] = np.float32(3.35e6)  # bin 5e6 at width 0.67
    if hash_path == "compiled":
        _, exact = np.unique(mi.bin_indices(t, bin_width=0.67), axis=0, return_inverse=True)
        assert _same_partition(mi.binned_symbols(t, bin_width=0.67), exact.reshape(-1))
    else:
        with pytest.raises(ValueError, match="use fewer bins"):
            mi.binned_symbols(t, bin_width=0.67)
    t[5, 7] = np.float32(1e12)
    with pytest.raises(ValueError, match="use fewer bins"):
        mi.binned_symbols(t, bin_width=0.67)
