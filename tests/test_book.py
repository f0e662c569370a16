"""The chapter object: rows per dataset and series, tables as Markdown, checked choices."""
import pytest

from ibutils.book import Chapter, Text
from ibutils.config import get_profile
from ibutils.results import MissingResultError

from .conftest import needs_data
from .test_analysis import EST, fake_run


def _chapter(series=None):
    runs = [fake_run([1, 2, 3], variant=v, dataset=d)
            for d in ("mnist", "fashion_mnist") for v in ("w1", "w3", "w12")]
    return Chapter("width", runs, get_profile("smoke"), "test", (EST, EST, EST), series or {})


def test_rows_are_datasets_then_series():
    ch = _chapter()
    assert list(ch.rows()) == ["MNIST", "Fashion-MNIST"]
    assert [r.variant for r in ch.rows()["MNIST"]] == ["w1", "w3", "w12"]
    ch = _chapter({"narrow": ["w1", "w3"], "wide": ["w12"]})
    assert list(ch.rows()) == ["MNIST, narrow", "Fashion-MNIST, narrow", "MNIST, wide",
                               "Fashion-MNIST, wide"]
    assert [r.variant for r in ch.rows()["Fashion-MNIST, narrow"]] == ["w1", "w3"]


def test_tables_render_as_markdown():
    sat = _chapter().saturation()
    assert isinstance(sat, Text) and sat._repr_markdown_() == str(sat)
    assert "**0 of 108**" in sat  # 6 runs x 6 hidden layers x 3 snapshots, none at log2 1024


def test_agreement_table_has_a_column_per_run_and_a_row_per_quantity():
    from ibutils.book.tables import agreement_table

    rows = [{"dataset": d, "variant": v, "seed": 0, "epochs": 12, "last": 199, "acc": a,
             "loss": 3e-7, "e:i_xt": 2e-3, "e:i_ty": 0.0}
            for d, v, a in (("mnist", "w1", 0.0), ("fashion_mnist", "d1", 1e-4))]
    lines = agreement_table(rows, ["e"]).splitlines()
    assert lines[0] == ("| largest difference | 6 layers x 1 filter, MNIST, seed 0 "
                        "| 1 layer x 6 filters, Fashion-MNIST, seed 0 |")
    assert "| test accuracy | 0.0e+00 | 1.0e-04 |" in lines
    assert sum(line.startswith("| I(") for line in lines) == 2  # I(X;T), I(T;Y) per estimator


def test_robustness_table_sets_the_default_beside_each_setting():
    from ibutils.book.tables import robustness_table
    from ibutils.config import RENYI_ORDER2, RENYI_ROBUSTNESS

    row = {"estimator": RENYI_ORDER2.id, "split": "test", "configurations": 13,
           "of_configurations": 32, "cells": 40, "floor": 0.0921, "passed": 3, "largest": 0.192,
           "where": "conv1 of 6 layers x 1 filter on MNIST", "null_rate": 0.015, "flagged": 1,
           "flagged_early": 0, "ref_passed": 0, "ref_largest": 0.014, "ref_flagged": 12,
           "ref_flagged_early": 12}
    last = robustness_table([row]).splitlines()[-1]
    assert last == ("| alpha 2 | test set | 0.092 | 3; default 0 | 0.192; default 0.014 "
                    "| conv1 of 6 layers x 1 filter on MNIST | 1.5% "
                    "| 1 (0 early); default 12 (12 early) |")
    bare = {k: v for k, v in row.items() if not k.startswith("ref_")}
    assert "default" not in robustness_table([bare]).splitlines()[-1]
    # rows covering different parts of the grid say how much each covers
    fixed = {**row, "estimator": RENYI_ROBUSTNESS[0].id,
             "configurations": 12, "cells": 38}
    lines = robustness_table([row, fixed]).splitlines()
    assert lines[0].startswith("| Rényi setting | set | configurations | hidden cells |")
    assert lines[-1].startswith("| width fixed at epoch 0 | test set | 12/32 | 38 | 0.092 |")


def test_passing_table_groups_passing_cells_by_network_with_layer_ranges():
    from ibutils.book.tables import passing_table
    from ibutils.config import RENYI_ORDER2, RENYI_ROBUSTNESS
    from ibutils.labels import layer_span

    assert layer_span(["conv2", "conv3", "conv4", "conv6", "dense1"]) == (
        "conv2-conv4, conv6, dense1")
    assert layer_span(["conv1", "conv2"]) == "conv1, conv2" and layer_span([]) == ""

    def cell(dataset, variant, layer, share):
        return {"dataset": dataset, "variant": variant, "layer": layer, "share": share}

    row = {"estimator": RENYI_ORDER2.id, "split": "test", "passing_cells": [
        cell("mnist", "d1", "conv1", 0.08),
        *(cell("fashion_mnist", "w3", f"conv{i}", s) for i, s in
          ((6, 0.20), (2, 0.11), (3, 0.33), (4, 0.2))),
        cell("fashion_mnist", "w1", "conv5", 0.151)]}
    lines = passing_table([row, {**row, "split": "train", "passing_cells": []}]).splitlines()
    # Fashion-MNIST first (more passing cells), its larger group first; layers in net order;
    # one setting passes, so no setting column (the caption names it)
    assert lines[0] == ("| dataset | network | layers that pass "
                        "| fall after fitting |")
    assert lines[2:] == [
        "| Fashion-MNIST | 6 layers x 3 filters | conv2-conv4, conv6 | 11-33% |",
        "| Fashion-MNIST | 6 layers x 1 filter | conv5 | 15% |",
        "| MNIST | 1 layer x 6 filters | conv1 | 8% |"]
    assert passing_table([row], split="train") == ""  # nothing passes on that set
    other = {**row, "estimator": RENYI_ROBUSTNESS[0].id, "passing_cells": [
        cell("mnist", "d2", "conv2", 0.3)]}
    lines = passing_table([row, other]).splitlines()
    assert lines[0].startswith("| Rényi setting | dataset |")
    assert lines[-1] == "| width fixed at epoch 0 | MNIST | 2 layers x 6 filters | conv2 | 30% |"


def test_renyi_setting_label_names_only_what_differs_from_the_default():
    from ibutils.book.tables import renyi_setting_label
    from ibutils.config import RENYI_ROBUSTNESS, renyi

    assert [renyi_setting_label(e.id) for e in (renyi(), *RENYI_ROBUSTNESS)] == [
        "default", "width fixed at epoch 0", "rule's width x 0.5", "rule's width x 2",
        "alpha 2", "inputs drawn per seed"]


def test_study_facts_prefix_each_chapter_and_keep_its_values():
    from ibutils.book.facts import study_facts
    width = _chapter()
    other = Chapter("depth", [fake_run([1, 2, 3], variant="w6", dataset="mnist")],
                    get_profile("smoke"), "test", (EST, EST, EST), {})
    facts = study_facts({"width": width, "depth": other})
    assert len(facts) == len(width.facts) + len(other.facts)
    assert {k[len("width_"):]: v for k, v in facts.items() if k.startswith("width_")} \
        == width.facts
    assert facts["depth_runs"] == "1" and facts["width_runs"] == "6"
    assert facts["width_mnist_w12_fast"] == width.facts["mnist_w12_fast"]


def test_animation_names_the_allowed_variants():
    with pytest.raises(ValueError, match=r"variant: got 'w6', allowed \('w1', 'w3', 'w12'\)"):
        _chapter().animation("w6")


@needs_data
def test_stored_seeds_adds_only_the_seeds_already_stored(tmp_store):
    from ibutils.book import load_chapter
    from ibutils.config import binning, renyi
    from ibutils.results import MissingResultError
    from ibutils.runner import run_study

    kw = {"profile": "smoke", "epochs": 2, "datasets": ["mnist"], "variants": ["w1", "w3"]}
    ests = (binning(bin_width=0.67), binning(n_bins=30), renyi(n_samples=500))  # the chapter's
    run_study("width", kw["datasets"], profile="smoke", epochs=2, seeds=[0, 1],
              variants=["w1"], estimators=ests, progress=False)
    run_study("width", kw["datasets"], profile="smoke", epochs=2, seeds=[0], variants=["w3"],
              estimators=ests, progress=False)
    with pytest.raises(MissingResultError):
        load_chapter("width", seeds=[0, 1], allow_training=False, **kw)
    ch = load_chapter("width", seeds=[0, 1], allow_training=False, stored_seeds=True, **kw)
    assert sorted((r.variant, r.seed) for r in ch.results) == [("w1", 0), ("w1", 1), ("w3", 0)]
    assert ("seed 0 of every configuration, and more for 1:\n\n- MNIST, seed 1: 6 layers x 1 "
            "filter" in ch.header())


@needs_data
def test_compression_page_stored_seeds_adds_only_the_seeds_already_stored(tmp_store):
    from ibutils.book import load_compression

    kw = {"profile": "smoke", "epochs": 1, "datasets": ["mnist"], "factors": ["width"],
          "activations": ["tanh"], "exclude": {"tanh": {"width": ["w6", "w12"]}}}
    load_compression(seeds=[0], **kw)  # trains seed 0 of w1 and w3 with the chapter's estimators
    load_compression(seeds=[1], **{**kw, "exclude": {"tanh": {"width": ["w3", "w6", "w12"]}}})
    with pytest.raises(MissingResultError):
        load_compression(seeds=[0, 1], allow_training=False, **kw)
    b = load_compression(seeds=[0, 1], allow_training=False, stored_seeds=True, **kw)
    runs = b.results[("width", "tanh")]
    assert sorted((r.variant, r.seed) for r in runs) == [("w1", 0), ("w1", 1), ("w3", 0)]
    assert "fewer than 2 seeds (still computing): MNIST, 6 layers x 3 filters." in b.header()


def test_precision_check_verdict_and_summary():
    import matplotlib

    matplotlib.use("Agg")
    from ibutils.book import PrecisionCheck

    fp32 = {"width w1": [fake_run([v, v + 1, v + 2], seed=s) for s, v in enumerate((1, 2, 3))]}
    close = PrecisionCheck(fp32, {"width w1": fake_run([2, 3, 4], seed=0)},
                           get_profile("smoke"), "test", (EST,))
    far = PrecisionCheck(fp32, {"width w1": fake_run([6, 7, 8], seed=0)},
                         get_profile("smoke"), "test", (EST,))
    assert close.verdict().startswith("**bf16 stays within the fp32 seed spread**")
    assert far.verdict().startswith("**bf16 leaves the fp32 seed spread** in width w1:")
    n = 2 + 2 * len(fp32["width w1"][0].layers)  # loss, accuracy, I(X;T) and I(T;Y) per layer
    assert f"| width w1 | {n} / {n} |" in close.summary()
    assert far.figure().shape == (1, 3)  # loss, accuracy, I(X;T) (fp32 bands, bf16 dotted)
    facts = close.facts()
    assert facts["prec_configs"] == "1" and facts["prec_within"] == f"{n} of {n}"
    ratios = [r["ratio"] for r in close.checks()["width w1"]]
    assert facts["prec_worst"] == f"{max(ratios):.2f}"
    assert facts["prec_closer"] == f"{1 / max(ratios):.0f}"
    assert far.facts()["prec_within"].startswith(f"{sum(r['within'] for r in far.checks()['width w1'])} of")


def test_compression_heatmap_and_table_mark_layers_that_compress():
    import matplotlib
    matplotlib.use("Agg")
    # three seeds that rise, fit and then fall by 4 bits in every layer: every cell passes
    falls = [fake_run([1, 5, 5 + 0.01 * s, 2, 1.5, 1 + 0.01 * s], seed=s, variant=v)
             for s in range(3) for v in ("w1", "w3")]
    ch = Chapter("width", falls, get_profile("smoke"), "test", (EST, EST, EST))
    (rows,) = ch.cells.values()
    assert len(rows) == 12 and all(r["passed"] for r in rows)
    assert ch.compression_table()._repr_markdown_().count("| yes |") == 12
    (ax,) = ch.compression()[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "MNIST, 6 layers x 1 filter", "MNIST, 6 layers x 3 filters"]
    assert len(ax.lines) == 12  # one dot per passing layer
    # flat curves: nothing passes, no dots
    flat = [fake_run([1, 5, 5, 5, 5, 5 + 0.01 * s], seed=s, variant=v)
            for s in range(3) for v in ("w1", "w3")]
    ch = Chapter("width", flat, get_profile("smoke"), "test", (EST, EST, EST))
    assert not any(r["passed"] for r in next(iter(ch.cells.values())))
    assert len(ch.compression()[0][0].lines) == 0


def test_prose_fills_glued_numbers_for_the_book_and_for_jupyter():
    from ibutils.book import Prose, key_findings, prose
    from ibutils.book.render import GLUED
    GLUED["test_bits"] = "3.14"
    box = key_findings("I(T;Y) ends at {glue:text}`test_bits` bits "
                       "({numref}`fig-width-curves`, {term}`ceiling`).")
    assert isinstance(box, Prose)
    md, html = box._repr_markdown_(), box._repr_html_()
    assert md.startswith(":::{admonition} Key findings") and "3.14 bits" in md
    assert "{numref}`fig-width-curves`" in md  # the book resolves the role
    assert "3.14 bits" in html and "{" not in html and "ceiling" in html
    assert "Key findings" in html
    with pytest.warns(UserWarning, match="no_such_number"):
        assert "(not computed)" in prose("{glue:text}`no_such_number` bits")._repr_markdown_()


def test_seed_coverage_names_the_configurations_with_extra_seeds():
    from types import SimpleNamespace

    from ibutils.architecture import get_variant
    from ibutils.book.chapters import seed_coverage

    def run(variant, dataset, seed):
        return SimpleNamespace(variant=variant, dataset=dataset, seed=seed, factor="width",
                               config=SimpleNamespace(net=get_variant("width", variant)))
    runs = ([run("w1", "mnist", s) for s in range(5)] + [run("w3", "mnist", s) for s in range(3)]
            + [run("w3", "fashion_mnist", s) for s in (0, 1, 2, 3)])
    assert seed_coverage(runs, range(5)) == (
        "seeds 0-2 of every configuration, and more for 2:\n\n"
        "- Fashion-MNIST, seed 3: 6 layers x 3 filters\n"
        "- MNIST, seeds 3 and 4: 6 layers x 1 filter\n")
    assert seed_coverage(runs[5:8], range(5)) == "seeds 0-2 of every configuration."
    assert seed_coverage(runs[5:8], range(5), configurations=8) == (
        "seeds 0-2 of 1 of the 8 configurations.")
    assert seed_coverage(runs, range(5), configurations=3).startswith(
        "seeds 0-2 of every configuration, and more for 2:")


@needs_data
def test_a_chapter_shows_the_first_seed_trained_further(tmp_store):
    import matplotlib

    matplotlib.use("Agg")
    from ibutils.analysis.horizon import horizon_changes
    from ibutils.book import load_chapter
    from ibutils.book.render import FigureTabs
    from ibutils.config import binning, renyi
    from ibutils.runner import run_study

    kw = {"profile": "smoke", "epochs": 2, "datasets": ["mnist"], "variants": ["w1", "w3"],
          "seeds": [0, 1], "allow_training": False}
    ests = (binning(bin_width=0.67), binning(n_bins=30), renyi(n_samples=500))  # the chapter's
    run_study("width", ["mnist"], profile="smoke", epochs=2, seeds=[0, 1], variants=["w1", "w3"],
              estimators=ests, progress=False)
    (long,) = run_study("width", ["mnist"], profile="smoke", epochs=5, seeds=[0],
                        variants=["w1"], estimators=ests, progress=False)
    with pytest.raises(ValueError, match="long_epochs: got 2, allowed None or a horizon past"):
        load_chapter("width", long_epochs=2, **kw)
    ch = load_chapter("width", long_epochs=5, **kw)
    assert [(r.variant, r.seed, r.horizon) for r in ch.long] == [("w1", 0, 5)]
    assert ch.long_missing == ["6 layers x 3 filters (MNIST)"]
    seeds = [r for r in ch.results if r.variant == "w1"]
    expected = horizon_changes(seeds, long, ests[2].id, short=2)
    got = [r for r in ch.horizon_rows if r["estimator"] == ests[2].id]
    assert [{k: r[k] for k in expected[0]} for r in got] == expected
    assert {r["estimator"] for r in ch.horizon_rows} == {ests[0].id, ests[2].id}
    facts = ch.facts
    assert facts["long_runs"] == "1 of 2" and facts["long_epochs"] == "5"
    hidden = [r for r in got if r["layer"] != "softmax"]
    assert facts[f"long_{ests[2].id.replace('.', '_')}_moved"] == (
        f"{sum(r['moved'] for r in hidden)} of {len(hidden)}")
    assert facts["long_summary"].startswith(
        "For 1 of the 2 pairs of network and dataset, seed 0 is trained on to 5 epochs. "
        "After epoch 2, under the paper's bins")
    assert isinstance(ch.longer("fig-x", "caption"), FigureTabs)
    assert "6 layers x 3 filters (MNIST)" in ch.horizon_table()._repr_markdown_()
    # without long runs the text says so, and the facts still exist
    plain = load_chapter("width", **kw)
    assert plain.long == [] and plain.facts["long_runs"] == "0 of 2"
    assert plain.longer("fig-x", "caption") is None
    assert plain.facts["long_summary"] == ("No configuration of this chapter is stored past "
                                           "epoch 2 yet.")


@needs_data
def test_reproduction_shows_the_stored_picks_and_lists_the_others(tmp_store):
    import matplotlib

    matplotlib.use("Agg")
    from ibutils.book import load_reproduction
    from ibutils.book.render import FigureTabs
    from ibutils.config import binning, renyi
    from ibutils.runner import run_study

    ests = (binning(bin_width=0.67), binning(n_bins=30), renyi(n_samples=500))  # the chapter's
    (stored,) = run_study("width", ["mnist"], profile="smoke", epochs=2, seeds=[0],
                          variants=["w1"], estimators=ests, progress=False)
    rp = load_reproduction({"width": ["w1", "w3"]}, profile="smoke", epochs=2, seeds=[0],
                           allow_training=False, shorter_profile=None)
    assert [(r.variant, r.seed) for r in rp.results] == [("w1", 0)]
    assert rp.missing == ["6 layers x 3 filters (MNIST)"]
    assert rp.header().endswith("Not (yet) trained to 2 epochs: 6 layers x 3 filters (MNIST).")
    assert rp.facts["rep_nets"] == "1"
    assert rp.facts["rep_missing"] == "No run at this horizon yet: 6 layers x 3 filters (MNIST)."
    loss = stored.metric("test", "loss")
    assert rp.facts["rep_loss"] == f"{loss[-1]:.3f}"
    assert isinstance(rp.compression(), FigureTabs)


def test_sentence_start_upper_cases_only_the_first_letter():
    from ibutils.labels import sentence_start

    assert sentence_start("noise 0.5, width series") == "Noise 0.5, width series"
    assert sentence_start("order alpha = 2") == "Order alpha = 2"
    assert sentence_start("MNIST, 6 layers x 1 filter") == "MNIST, 6 layers x 1 filter"
    assert sentence_start("") == ""
