"""The calibrated compression test: exact statistics against tables, power on curves that do
compress, and its false-positive rate on curves that cannot."""
import numpy as np
import pytest

from ibutils.analysis import compression_test as ct
from ibutils.analysis.statistics import (
    benjamini_hochberg,
    regularized_beta,
    student_t_sf,
)
from ibutils.architecture import get_variant
from ibutils.config import PAPER_ID, get_profile
from ibutils.results import constructed_run


@pytest.mark.parametrize("t, df, p", [(2.920, 2, 0.05), (4.303, 2, 0.025), (2.132, 4, 0.05),
                                      (3.747, 4, 0.01), (1.645, 1e7, 0.05), (0.0, 3, 0.5)])
def test_student_t_tail_matches_the_tables(t, df, p):
    assert student_t_sf(t, df) == pytest.approx(p, abs=2e-4)
    assert student_t_sf(-t, df) == pytest.approx(1 - p, abs=2e-4)


def test_regularized_beta_closed_forms():
    for x in (0.1, 0.5, 0.9):
        assert regularized_beta(1, 1, x) == pytest.approx(x)  # uniform
        assert regularized_beta(2, 1, x) == pytest.approx(x ** 2)
        assert regularized_beta(1, 3, x) == pytest.approx(1 - (1 - x) ** 3)


def test_benjamini_hochberg_step_up():
    p = [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216]
    assert benjamini_hochberg(p, 0.05).tolist() == [True, True] + [False] * 8
    # step-up: a larger p-value below its own threshold carries the smaller ones with it
    assert benjamini_hochberg([0.04, 0.03, 0.02, 0.01], 0.05).all()


def test_leave_one_out_peaks_do_not_use_a_seeds_own_noise():
    curves = np.array([[0, 5, 1, 1], [0, 1, 5, 1], [0, 1, 1, 1.0]])
    drops, peaks = ct.seed_drops(curves, 0)
    # seed 0's peak is chosen by seeds 1 and 2 (index 2), where seed 0 sits at 1
    assert peaks == [2, 1, 1] and drops.tolist() == [0.0, 0.0, 0.0]


def _runs(curves, ity=None):
    """Seed runs of w1 whose every hidden layer's I(X;T) follows its row of `curves`."""
    out = []
    for seed, curve in enumerate(curves):
        run = get_profile("smoke").run_config(get_variant("width", "w1"), "mnist", seed)
        k = len(curve)
        ity_out = ity if ity is not None else list(np.linspace(0.5, 3.0, k))
        mi = {la: {"i_xt": list(curve), "i_ty": [1.0] * k} for la in run.net.layer_names}
        mi["softmax"] = {"i_xt": [1.0] * k, "i_ty": ity_out}
        out.append(constructed_run(run, range(k), {"mi": {PAPER_ID: mi}}, factor="width",
                                   variant="w1"))
    return out


def test_fitting_epoch_is_where_the_output_reaches_95_percent_of_its_rise():
    runs = _runs([[1] * 6] * 2, ity=[0.0, 1.0, 2.0, 2.9, 3.0, 3.0])
    assert ct.fitting_epoch(runs) == 3  # 2.9 >= 0.95 * 3


def test_a_real_compression_after_fitting_passes_and_a_drift_before_it_does_not():
    rng = np.random.default_rng(0)
    fit_then_compress = [[1.0, 1.2, 1.4, 1.5, 1.5, 1.3, 1.1, 1.0] + rng.normal(0, 0.01, 8)
                         for _ in range(3)]
    runs = _runs(fit_then_compress, ity=[0.5, 1.5, 2.5, 2.9, 3.0, 3.0, 3.0, 3.0])
    cell = ct.check_cell(runs, "conv1", split="test", estimator=PAPER_ID, floor=0.05,
                         fit_epoch=ct.fitting_epoch(runs))
    assert cell["drop"] == pytest.approx(0.5, abs=0.05) and cell["p"] < 0.01
    assert cell["lo"] <= cell["drop"] <= cell["hi"]
    early_drift = [[1.5, 1.2, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0] + rng.normal(0, 0.01, 8)
                   for _ in range(3)]
    runs = _runs(early_drift, ity=[0.5, 1.5, 2.5, 2.9, 3.0, 3.0, 3.0, 3.0])
    cell = ct.check_cell(runs, "conv1", split="test", estimator=PAPER_ID, floor=0.05,
                         fit_epoch=ct.fitting_epoch(runs))
    assert cell["p"] > 0.5  # falls before fitting: not compression


def test_false_positive_rate_on_pure_noise_is_at_most_its_level():
    rng = np.random.default_rng(1)
    groups = {f"c{i}": _runs(rng.normal(1.0, 0.05, size=(3, 12))) for i in range(8)}
    at_zero = ct.null_rate(groups, split="test", estimator=PAPER_ID, floor=0.0, shuffles=25)
    assert at_zero["tests"] == 8 * 6 * 25
    assert 0.02 < at_zero["rate"] < 0.09  # a t-test at 0.05 on noise: about 5%
    with_floor = ct.null_rate(groups, split="test", estimator=PAPER_ID, floor=0.05, shuffles=25)
    assert with_floor["rate"] < at_zero["rate"]


def test_check_cells_counts_and_corrects_many_cells():
    rng = np.random.default_rng(2)
    groups = {f"c{i}": _runs(rng.normal(1.0, 0.01, size=(3, 10))) for i in range(4)}
    rows = ct.check_cells(groups, split="test", estimator=PAPER_ID)
    assert len(rows) == 4 * 6 and not any(r["passed"] for r in rows)
    assert rows[0]["floor"] == pytest.approx(ct.FLOOR_SHARE * 1.0, rel=0.05)


def test_facts_name_every_estimator_and_set_even_without_runs_of_several_seeds():
    from ibutils.book.facts import calibrated_facts

    facts = calibrated_facts([], [PAPER_ID, "renyi_alpha1.01_n_samples500"])
    assert facts["cal_renyi_test_largest"] == "n/a" and facts["cal_passed"] == "n/a"
    assert facts["cal_paper_bins_train_where"] == "n/a"
    rng = np.random.default_rng(2)
    groups = {f"c{i}": _runs(rng.normal(1.0, 0.01, size=(3, 10))) for i in range(2)}
    rows = ct.summary(groups, [PAPER_ID], splits=("test",), shuffles=2)
    facts = calibrated_facts(rows, [PAPER_ID])
    assert facts["cal_paper_bins_test_cells"] == "12" and facts["cal_passed"] == "0"
    assert facts["cal_paper_bins_train_cells"] == "n/a"


def test_robustness_runs_each_setting_on_the_configurations_that_carry_it():
    rng = np.random.default_rng(1)
    ity = [0.5, 1.5, 2.5, 2.9, 3.0, 3.0, 3.0, 3.0]
    compress = [[1.0, 1.2, 1.4, 1.5, 1.5, 1.3, 1.1, 1.0] + rng.normal(0, 0.01, 8)
                for _ in range(3)]
    flat = [[1.0] * 8 + rng.normal(0, 0.01, 8) for _ in range(3)]
    a = _runs(compress, ity=ity)
    b = _runs(flat, ity=ity)
    other = "renyi_alpha2_n_samples500"  # a second setting, stored on the first net only
    for run in a:
        for snap in run.payload["snapshots"]:
            for split in ("train", "test"):
                snap[split]["mi"][other] = snap[split]["mi"][PAPER_ID]
    groups = {"compressing": a, "flat": b}
    rows = ct.robustness(groups, [PAPER_ID, other], splits=("test",), shuffles=2)
    by = {r["estimator"]: r for r in rows}
    assert by[PAPER_ID]["configurations"] == 2 and by[PAPER_ID]["of_configurations"] == 2
    assert by[other]["configurations"] == 1 and by[other]["cells"] == 6  # w1: 6 hidden layers
    # on the covered part the setting gives exactly what the test gives there
    alone = ct.summary({"compressing": a}, [other], ("test",), shuffles=2)[0]
    assert by[other]["passed"] == alone["passed"] == 6
    assert by[other]["largest"] == pytest.approx(alone["largest"])
    assert ct.robustness(groups, ["renyi_alpha3_n_samples500"], splits=("test",)) == []
    # a setting on some seeds of a configuration: tested on those seeds (at least two)
    four = _runs(compress + [compress[0]], ity=ity)
    for run in four[:2]:
        for snap in run.payload["snapshots"]:
            for split in ("train", "test"):
                snap[split]["mi"][other] = snap[split]["mi"][PAPER_ID]
    (two,) = ct.robustness({"four seeds": four}, [other], splits=("test",), shuffles=2)
    assert two["configurations"] == 1 and two["cells"] == 6
    assert two["largest"] == pytest.approx(
        ct.summary({"two": four[:2]}, [PAPER_ID], ("test",), shuffles=2)[0]["largest"])
    for run in four[1:2]:  # one seed left: not enough to test
        for snap in run.payload["snapshots"]:
            for split in ("train", "test"):
                del snap[split]["mi"][other]
    assert ct.robustness({"four seeds": four}, [other], splits=("test",)) == []
    # the looser test flags the six falling layers (peak at epoch 4, after the rise), and a
    # reference setting is reported on the same configurations as the setting
    assert (by[other]["flagged"], by[other]["flagged_early"]) == (6, 0)
    (row,) = ct.robustness(groups, [other], splits=("test",), shuffles=2, reference=PAPER_ID)
    assert (row["ref_passed"], row["ref_flagged"]) == (6, 6)  # PAPER_ID on "compressing" only
    assert row["ref_largest"] == pytest.approx(alone["largest"])


def test_robustness_facts_quote_the_rows_and_judge_the_width_rule():
    from ibutils.book.robustness_facts import robustness_facts

    fixed, half = "renyi_fixed", "renyi_half"
    names = {fixed: "fixed", half: "half"}

    def row(est, flagged, ref_flagged, split="test"):
        return {"estimator": est, "split": split, "passed": 0, "largest": 0.01,
                "floor": 0.004, "configurations": 4, "of_configurations": 32, "cells": 11,
                "flagged": flagged,
                "flagged_early": flagged, "ref_flagged": ref_flagged, "ref_passed": 0}

    facts = robustness_facts([row(fixed, 2, 10), row(half, 12, 10), row(half, 1, 1, "train")],
                             names)
    assert facts["rob_settings"] == "2" and facts["rob_passed"] == "0"
    assert facts["rob_configs"] == "4" and facts["rob_passing"] == (
        "no cell passes under any of them")
    assert facts["rob_coverage"] == "so far on 4 of the 32 configurations"
    assert facts["rob_cells"] == "11"
    whole = {**row(fixed, 2, 10), "configurations": 32, "cells": 96}
    assert robustness_facts([whole], names)["rob_coverage"] == "on all 32 configurations"
    both = robustness_facts([whole, row(half, 1, 1)], names)
    assert both["rob_coverage"] == (
        "so far on 4-32 of the 32 configurations")  # settings that cover different parts
    assert (both["rob_configs"], both["rob_cells"]) == ("4-32", "11-96")
    assert robustness_facts([], names)["rob_coverage"] == "on no configuration yet"
    alpha2 = {**row("renyi_alpha2_n_samples500", 0, 0), "passed": 1,
              "passing_cells": [{"dataset": "fashion_mnist", "variant": "d1",
                                 "layer": "conv1", "share": 0.2}]}
    facts = robustness_facts([row(fixed, 2, 10), alpha2], names)
    assert facts["rob_passed"] == "1" and facts["rob_passing"] == (
        "1 cell of 1 network passes under Rényi (alpha 2)")  # not in `names`: its label
    assert "(1 on Fashion-MNIST; a fall of 20% of the value at the peak," in facts["rob_claim"]
    names2 = {**names, alpha2["estimator"]: "alpha2"}
    alpha2["passed"], alpha2["passing_cells"] = 3, [
        {"dataset": d, "variant": v, "layer": "conv1", "share": 0.2}
        for d, v in (("fashion_mnist", "d1"), ("mnist", "d1"), ("mnist", "w1"))]
    facts = robustness_facts([row(fixed, 2, 10), alpha2], names2)
    assert facts["rob_passing"] == "3 cells of 3 networks pass under order alpha = 2"
    assert facts["rob_passing_settings"] == "order alpha = 2"
    assert robustness_facts([row(fixed, 2, 10)], names2)["rob_passing_settings"] == (
        "none of them")
    alpha2["passed"], alpha2["passing_cells"] = 3, [
        {"where": "a", "dataset": "fashion_mnist", "variant": "d1", "layer": "conv1",
         "drop": 0.05, "share": 0.091},
        {"where": "b", "dataset": "fashion_mnist", "variant": "d2", "layer": "conv1",
         "drop": 0.1, "share": 0.43},
        {"where": "c", "dataset": "mnist", "variant": "d1", "layer": "conv1", "drop": 0.01,
         "share": 0.19}]
    assert robustness_facts([row(fixed, 2, 10), alpha2], names)["rob_claim"] == (
        "The claim does not hold under every setting of the Rényi estimator: measured so far "
        "on 4 of the 32 configurations, hidden cells pass the same test on the test set, 3 with "
        "Rényi (alpha 2) (2 on Fashion-MNIST, 1 on MNIST; falls of 9-43% of the value at the "
        "peak, against 0 under the default setting on the same configurations and seeds). With "
        "each layer's kernel width fixed at its epoch-0 value, no cell passes.")
    assert robustness_facts([row(fixed, 2, 10), row(half, 12, 10)], names)["rob_claim"] == (
        "The claim also holds under 2 other settings of the Rényi estimator, measured so far "
        "on 4 of the 32 configurations: no cell passes under any of them on the test set.")
    facts = robustness_facts([row(fixed, 2, 10), row(half, 12, 10), row(half, 1, 1, "train")],
                             names)
    assert facts["rob_fixed_flagged"] == "2" and facts["rob_fixed_ref_flagged"] == "10"
    assert facts["rob_half_flagged"] == "12" and facts["rob_fixed_configs"] == "4 of 32"
    assert facts["rob_width_rule"].startswith("The falls the looser test flags depend on the "
                                              "width rule: with each layer's kernel width held")
    for flagged, words in ((5, "depend on the width rule"), (7, "partly depend"),
                           (10, "survive fixing the width")):
        assert words in robustness_facts([row(fixed, flagged, 10)], names)["rob_width_rule"]
    assert "nothing for the width rule" in robustness_facts([row(fixed, 0, 0)],
                                                            names)["rob_width_rule"]
    assert "not known" in robustness_facts([], names)["rob_width_rule"]


def test_the_share_is_each_seeds_fall_over_its_value_at_the_peak():
    base = np.array([1.0, 1.2, 1.4, 1.5, 1.5, 1.3, 1.1, 1.0])
    runs = _runs([base, 1.1 * base, 0.9 * base], ity=[0.5, 1.5, 2.5, 2.9, 3.0, 3.0, 3.0, 3.0])
    cell = ct.check_cell(runs, "conv1", split="test", estimator=PAPER_ID, floor=0.05,
                         fit_epoch=ct.fitting_epoch(runs))
    assert cell["drop"] == pytest.approx(0.5)  # 0.5 x (1 + 1.1 + 0.9) / 3
    assert cell["share"] == pytest.approx(1 / 3)  # (1.5 - 1.0) / 1.5 in every seed
    (row,) = ct.summary({"c": runs}, [PAPER_ID], ("test",), shuffles=0)
    assert len(row["passing_cells"]) == 6  # every hidden layer follows the curves
    assert row["passing_cells"][0] == {"where": "conv1 of 6 layers x 1 filter on MNIST",
                                       "dataset": "mnist", "variant": "w1",
                                       "layer": "conv1", "drop": pytest.approx(0.5),
                                       "share": pytest.approx(1 / 3)}


def test_robustness_facts_name_every_setting_before_it_is_measured():
    from ibutils.book.robustness_facts import robustness_facts

    facts = robustness_facts([], {"renyi_alpha2_n_samples500": "alpha2"})
    assert facts["rob_alpha2_floor"] == "n/a" and facts["rob_alpha2_passed"] == "n/a"
    assert facts["rob_claim"] == "No configuration carries the other Rényi settings yet."
