"""The page objects of the factor chapters, the reproduction and the bfloat16 check: the runs a
page shows, with one method per figure (returns the axes) or table (returns a `Text`), so a
notebook is prose and calls.

    from ibutils.book import load_chapter, page_spec
    ch = load_chapter("depth", page_spec(profile="book", epochs=200, seeds=[0]))
    ch.header()                 # which runs are shown, and a summary table
    ch.planes(ch.paper)         # information planes, one row per dataset (and series)
    ch.compression()            # the compression test of every layer, three estimators
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from .. import plots
from ..analysis.compression import saturation_counts
from ..analysis.compression_test import check_cells
from ..analysis.horizon import horizon_changes, metric_change
from ..analysis.reproduction import (
    agreement_rows,
    long_horizon_rows,
    precision_check,
    reproduction_rows,
)
from ..analysis.runs import by_config, group
from ..architecture import paper_variants
from ..config import PAPER_OUTPUT_ITY, Profile, check_choice
from ..labels import dataset_label, estimator_label, network_label
from ..results import RunResult
from . import tables
from .facts import chapter_facts, horizon_facts, test_facts
from .render import Dropdown, FigureTabs, Html, Text, glue, markdown_table
from .reproduction_facts import reproduction_facts


@dataclass
class Chapter:
    """The runs of one factor, with the estimators the chapter compares.

    `series` splits the variants into groups drawn as separate rows (the kernel factor's two
    stacks); by default all variants form one series.
    """

    factor: str
    results: list[RunResult]
    profile: Profile
    split: str
    estimators: tuple[str, str, str]  # ids: paper's binning, bins by count, Renyi
    series: dict[str, list[str]] = field(default_factory=dict)
    long: list[RunResult] = field(default_factory=list)  # first seeds trained further
    long_missing: list[str] = field(default_factory=list)  # configurations not (yet) so

    @property
    def paper(self) -> str:
        return self.estimators[0]

    @property
    def by_count(self) -> str:
        return self.estimators[1]

    @property
    def renyi(self) -> str:
        return self.estimators[2]

    @property
    def variants(self) -> list[str]:
        """The variants shown, in the factor's order."""
        return list(group(self.results, "variant"))

    @property
    def datasets(self) -> list[str]:
        return list(group(self.results, "dataset"))

    def _series(self) -> dict[str, list[RunResult]]:
        if not self.series:
            return {"": self.results}
        return {name: [r for r in self.results if r.variant in variants]
                for name, variants in self.series.items()}

    def rows(self) -> dict[str, list[RunResult]]:
        """Runs per row of a figure: one row per dataset (and series), labelled."""
        return {dataset_label(d) + (f", {name}" if name else ""):
                [r for r in runs if r.dataset == d]
                for name, runs in self._series().items() for d in self.datasets}

    def header(self) -> Text:
        """Which runs the chapter shows (profile, horizon, seeds) and their summary table."""
        p = self.profile
        return Text(f"**Runs shown:** profile `{p.name}`, horizon {p.epochs:,} epochs, "
                    f"{len(self.results)} runs (every one, with its accuracy and training "
                    f"time, is listed in [All runs](all_runs)): "
                    f"{seed_coverage(self.results, p.seeds)}")

    def plane_figures(self, estimator: str) -> dict:
        """Information planes under one estimator: per dataset (and series) a figure with one
        panel per network, its seeds together (`ibutils.plots.seed_planes`)."""
        return {label: plots.seed_planes(
                    {network_label(self.factor, v): seeds
                     for v, seeds in group(runs, "variant").items()},
                    split=self.split, estimator=estimator)
                for label, runs in self.rows().items()}

    def headline(self):
        """The chapter's answer in one figure: every network's layers at the end of training,
        under the paper's estimator and under Renyi, a row per dataset (and series)
        (`ibutils.plots.layer_chains`)."""
        return plots.layer_chains(
            {label: {network_label(self.factor, v): seeds
                     for v, seeds in group(runs, "variant").items()}
             for label, runs in self.rows().items()},
            (self.paper, self.renyi), split=self.split)

    def planes(self, estimator: str, name: str, caption: str) -> FigureTabs:
        """`plane_figures` under tabs, one per dataset (and series), numbered as `name`."""
        return FigureTabs(name, self.plane_figures(estimator), caption)

    def saturation(self) -> Text:
        """How many hidden-layer points sit at log2 N under the paper's estimator."""
        sat = saturation_counts(self.results, self.paper, self.split)
        return Text(f"Hidden-layer points at I(X;T) = log2 N (paper's estimator, {self.split} "
                    f"set): **{sat['saturated']} of {sat['points']}** "
                    f"({100 * sat['fraction']:.1f}%); the largest distance below log2 N of "
                    f"any hidden point is {sat['max_gap_bits']:.3f} bits.")

    @cached_property
    def cells(self) -> dict[str, list[dict]]:
        """The calibrated compression test (`ibutils.analysis.compression_test`, defined in
        the methods) of every hidden layer of every configuration, per estimator: rows of
        `check_cells`, its floor from this chapter's cells, Benjamini-Hochberg over them."""
        groups = by_config(self.results)
        return {est: check_cells(groups, split=self.split, estimator=est)
                for est in self.estimators}

    def compression(self):
        """The compression test as heatmaps (configuration x layer, one panel per estimator)."""
        return plots.drop_heatmap(self.cells)

    def compression_table(self) -> Dropdown:
        """Every cell of the compression test, per estimator, in a collapsed box."""
        parts = [f"**{estimator_label(est)}** (floor {rows[0]['floor']:.3f}; "
                 f"{sum(r['passed'] for r in rows)} of {len(rows)} cells pass)\n\n"
                 + tables.cells_table(rows) for est, rows in self.cells.items() if rows]
        return Dropdown("Every cell of the compression test", "\n\n".join(parts))

    def fitting(self) -> Text:
        """Final accuracy and output I(T;Y), speed of fitting and onset of overfitting."""
        return Text(tables.fitting_table(self.results, self.paper, self.split))

    def curves(self):
        """Training (dashed) and test (solid) loss and accuracy, a row per dataset (series)."""
        return plots.training_grid(self.rows())

    def output_mi(self):
        """Softmax I(X;T) and I(T;Y) against epoch under the paper's estimator."""
        return plots.output_mi_grid(self.rows(), estimator=self.paper)

    def layer_mi(self, variants: Sequence[str]):
        """Every layer's I(X;T) against epoch for some variants, one column per estimator."""
        picks = by_config(r for r in self.results if r.variant in variants)
        return plots.layer_mi_grid(picks, list(self.estimators), split=self.split)

    def gradients(self, kind: str = "gradients"):
        """Gradient mean and spread ("gradients") or weight norms ("weights"), a panel per
        configuration (needs runs loaded with ``gradients=True`` for the former)."""
        return plots.gradient_grid(self.rows(), kind)

    def snr(self) -> Text:
        """Gradient signal-to-noise ratio per layer: first, last, and first epoch below 1."""
        return Text(tables.snr_table(self.results))

    def animation(self, variant: str, estimator: str | None = None) -> Html:
        """An epoch slider over one variant's plane (first dataset), playable without a kernel."""
        names = list(dict.fromkeys(r.variant for r in self.results))
        check_choice("variant", variant, names)
        run = next(r for r in self.results if r.variant == variant)
        anim = plots.info_plane_animation(run, split=self.split,
                                          estimator=estimator or self.renyi)
        return Html(anim.to_jshtml())

    def _long_pairs(self) -> dict[str, dict[str, tuple[list[RunResult], RunResult]]]:
        """Per dataset label: network label -> (its seeds at the chapter's horizon, its first
        seed trained further), for the configurations that have a long run."""
        seeds = group(self.results, "label_config")
        out: dict = {}
        for long in self.long:
            out.setdefault(dataset_label(long.dataset), {})[
                network_label(self.factor, long.variant)] = (seeds[long.label_config], long)
        return out

    def longer(self, name: str, caption: str) -> FigureTabs | None:
        """Every layer's I(X;T) under the paper's bins and Renyi: the seed bands at the
        chapter's horizon beside the first seed trained further, a tab per dataset
        (`ibutils.plots.horizon_grid`); None when no run is stored further (the facts'
        ``long_summary`` says so)."""
        pairs = self._long_pairs()
        if not pairs:
            return None
        figures = {label: plots.horizon_grid(rows, (self.paper, self.renyi),
                                             split=self.split)[0][0].figure
                   for label, rows in pairs.items()}
        return FigureTabs(name, figures, caption)

    @cached_property
    def horizon_rows(self) -> list[dict]:
        """`ibutils.analysis.horizon.horizon_changes` of every long run under the paper's bins
        and Renyi, with ``estimator``, ``dataset``, ``network`` and ``accuracy_change``."""
        out = []
        for dataset, rows in self._long_pairs().items():
            for network, (seeds, long) in rows.items():
                acc = metric_change(long, "accuracy", split=self.split,
                                    short=self.profile.epochs)
                for est in (self.paper, self.renyi):
                    out += [{**r, "estimator": est, "dataset": dataset, "network": network,
                             "accuracy_change": acc}
                            for r in horizon_changes(seeds, long, est, split=self.split,
                                                     short=self.profile.epochs)]
        return out

    def horizon_table(self) -> Dropdown:
        """`horizon_rows` in a collapsed box."""
        body = [[r["dataset"], r["network"], estimator_label(r["estimator"]), r["layer"],
                 f"{r['at_short']:.3f}", f"{r['at_end']:.3f}", f"{r['change']:+.3f}",
                 f"{r['largest_fall']:.3f}", f"{r['seed_range']:.3f}",
                 "yes" if r["moved"] else "no"] for r in self.horizon_rows]
        short = self.profile.epochs
        long = max((r["long"] for r in self.horizon_rows), default=short)
        text = markdown_table(
            ["dataset", "network", "estimator", "layer", f"I(X;T) at {short}",
             f"at {long:,}", "change", f"largest fall after {short}",
             f"seeds' range at {short}", "outside the range"], body)
        if self.long_missing:
            text += ("\n\nNot (yet) trained further: " + "; ".join(self.long_missing) + ".")
        return Dropdown(f"Every layer from epoch {short} to {long:,}", text)

    @cached_property
    def facts(self) -> dict[str, str]:
        """The numbers the chapter's text quotes, by name (`ibutils.book.facts.chapter_facts`,
        `test_facts` and `horizon_facts`)."""
        floors = {est: rows[0]["floor"] for est, rows in self.cells.items() if rows}
        long = max((r.horizon for r in self.long), default=None)
        return {**chapter_facts(self.results, list(self.estimators), self.split),
                **test_facts(self.cells),
                **horizon_facts(self.horizon_rows, len(group(self.results, "label_config")),
                                floors, self.profile.epochs, long)}

    def glue(self) -> None:
        """Paste `facts` into the notebook (`glue`), for ``{glue:text}`name``` in the text."""
        glue(self.facts)

    def explorer(self):
        """The ipywidgets explorer of every run of the chapter (needs a live kernel)."""
        from .explorer import explorer
        return explorer(self.results)


def study_header(chapters: dict[str, Chapter]) -> Text:
    """Which runs a whole-study page judges: profile, horizon, seeds and counts."""
    first = next(iter(chapters.values()))
    p = first.profile
    n_runs = sum(len(ch.results) for ch in chapters.values())
    left_out = [f"{factor} {v}" for factor, ch in chapters.items()
                for v in paper_variants()[factor]
                if v not in {r.variant for r in ch.results}]
    note = (f" Left out (not yet computed for this horizon and these seeds): "
            f"{', '.join(left_out)}." if left_out else "")
    runs = [r for ch in chapters.values() for r in ch.results]
    return Text(f"**Runs judged:** profile `{p.name}`, horizon {p.epochs:,} epochs, {n_runs} runs "
                f"over {len(chapters)} factors and {len(first.datasets)} datasets.{note} They "
                f"cover {seed_coverage(runs, p.seeds)}")


def _seed_words(seeds) -> str:
    seeds = sorted(seeds)
    if len(seeds) > 2 and seeds == list(range(seeds[0], seeds[-1] + 1)):
        return f"seeds {seeds[0]}-{seeds[-1]}"
    return "seed " + str(seeds[0]) if len(seeds) == 1 else \
        "seeds " + ", ".join(map(str, seeds[:-1])) + f" and {seeds[-1]}"


def seed_coverage(results: Sequence[RunResult], seeds: Sequence[int],
                  configurations: int | None = None) -> str:
    """Which seeds the runs cover, per configuration (a network in two factors once): "seeds
    0-2 of every configuration." or, where some have more, "..., and more for 8:" followed by
    a Markdown list, a line per dataset and extra seeds: "- MNIST, seeds 3 and 4: A; B".
    Given the number of `configurations` the page wants, and fewer stored: "seed 0 of 3 of
    the 8 configurations"."""
    by_config = {}
    for r in results:
        by_config.setdefault((r.dataset, r.config.net), (r, set()))[1].add(r.seed)
    common = set(seeds)
    for _, got in by_config.values():
        common &= got
    if not common:
        return "the seeds stored for each configuration."
    extra = {}
    for r, got in by_config.values():
        if got - common:
            extra.setdefault(tuple(sorted(got - common)), {}).setdefault(
                r.dataset, []).append(network_label(r.factor, r.variant))
    text = f"{_seed_words(common)} of every configuration"
    if configurations is not None and len(by_config) < configurations:
        text = f"{_seed_words(common)} of {len(by_config)} of the {configurations} configurations"
    if not extra:
        return text + "."
    n = sum(len(v) for d in extra.values() for v in d.values())
    text += f", and more for {n}:\n"
    for more, datasets in sorted(extra.items()):
        for dataset in sorted(datasets, key=lambda d: d != "mnist"):
            text += (f"\n- {dataset_label(dataset)}, {_seed_words(more)}: "
                     f"{'; '.join(sorted(datasets[dataset]))}")
    return text + "\n"


@dataclass
class Reproduction(Chapter):
    """Runs at the paper's own horizon (`paper` profile: 10,000 epochs, its 36 snapshots)
    beside what Li & Liu's released files show, and beside the same runs stored under a
    shorter profile (`shorter`), which must agree on the epochs both record."""

    shorter: list[RunResult] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # picked networks not stored (in words)

    def header(self) -> Text:
        """`Chapter.header`, and the picked networks with no run at this horizon yet."""
        text = super().header()
        if not self.missing:
            return text
        return Text(f"{text}\n\nNot (yet) trained to {self.profile.epochs:,} epochs: "
                    + "; ".join(self.missing) + ".")

    def compression(self) -> FigureTabs | Text:
        """One run per network leaves no seeds for the calibrated test: per network a grid
        of every layer's fall of I(X;T) from its peak to the last snapshot under each
        estimator, annotated with the peak's epoch (`ibutils.plots.drop_grid`), a tab per
        network."""
        if not self.results:
            return Text("No run is stored at this horizon.")
        figures = {network_label(self.factor, r.variant):
                   plots.drop_grid([r], list(self.estimators), split=self.split).figure
                   for r in self.results}
        return FigureTabs("fig-reproduction-falls", figures,
                          "Every layer's fall of I(X;T) from its peak to the last snapshot "
                          "(in brackets: the peak's epoch; 0: a fall below 0.005) under each "
                          "estimator, 10,000 epochs:")

    @cached_property
    def long_rows(self) -> list[dict]:
        """`ibutils.analysis.reproduction.long_horizon_rows` of every run shown."""
        return long_horizon_rows(self.results, binned=self.paper, by_count=self.by_count,
                                 renyi=self.renyi, split=self.split)

    def long_horizon(self) -> Text:
        """Per network: lowest test loss and how far it rises, accuracy, the output's
        I(T;Y), and how the layers move under Renyi (`tables.long_horizon_table`)."""
        return Text(tables.long_horizon_table(self.long_rows, self.split))

    @cached_property
    def against_rows(self) -> list[dict]:
        """`ibutils.analysis.reproduction.reproduction_rows`: our runs beside the paper's."""
        return reproduction_rows(self.results, self.paper, self.split, PAPER_OUTPUT_ITY)

    @cached_property
    def shorter_agreement(self) -> list[dict]:
        """`agreement_rows` of the runs also stored under the shorter profile ([] if none)."""
        return (agreement_rows(self.results, self.shorter, list(self.estimators),
                               split=self.split) if self.shorter else [])

    @cached_property
    def facts(self) -> dict[str, str]:
        """The numbers the chapter's findings quote (`ibutils.book.reproduction_facts`)."""
        return reproduction_facts(
            self.long_rows, self.against_rows, self.shorter_agreement,
            {"binned": self.paper, "by_count": self.by_count, "renyi": self.renyi},
            reported=PAPER_OUTPUT_ITY,
            missing=self.missing)

    def against_paper(self) -> Text:
        """Our numbers beside the paper's released ones (`ibutils.book.tables.reproduction_table`)."""
        return Text(tables.reproduction_table(self.against_rows, self.split))

    def agreement(self) -> Text:
        """The same seeds stored under the shorter profile, compared where both record."""
        if not self.shorter:
            return Text("No run of these configurations and seeds is stored under the "
                        "shorter profile, so there is nothing to compare.")
        rows = self.shorter_agreement
        p = self.shorter[0].payload.get("profile", "shorter")
        return Text(f"Runs compared with profile `{p}`: {len(rows)}.\n\n"
                    + tables.agreement_table(rows, list(self.estimators), self.split))


@dataclass
class PrecisionCheck:
    """fp32 seeds and one bf16 run per configuration: is bf16 within the seeds' spread?"""

    fp32: dict[str, list[RunResult]]  # configuration label -> fp32 seed runs
    bf16: dict[str, RunResult]  # configuration label -> the bf16 run (first seed)
    profile: Profile
    split: str
    estimators: tuple[str, ...]

    def checks(self) -> dict[str, list[dict]]:
        return {label: precision_check(self.fp32[label], self.bf16[label],
                                              self.estimators, split=self.split)
                for label in self.fp32}

    def summary(self) -> Text:
        """Per configuration: quantities within the seed spread, the worst ratio, final test
        accuracy (fp32 seeds: mean and range; bf16) and the training time per epoch."""
        rows = []
        for label, rows_ in self.checks().items():
            fp32, bf16 = self.fp32[label], self.bf16[label]
            acc = [r.metric(self.split, "accuracy")[-1] for r in fp32]
            worst = max(rows_, key=lambda r: r["ratio"])
            speed = [r.payload["train_seconds"] / max(r.payload["epochs_trained"], 1)
                     for r in (*fp32, bf16)]
            rows.append([label, f"{sum(r['within'] for r in rows_)} / {len(rows_)}",
                         f"{worst['ratio']:.2f} ({worst['quantity']})",
                         f"{np.mean(acc):.4f} [{min(acc):.4f}, {max(acc):.4f}]",
                         f"{bf16.metric(self.split, 'accuracy')[-1]:.4f}",
                         f"{np.mean(speed[:-1]):.2f} / {speed[-1]:.2f}"])
        return Text(markdown_table(
            ["configuration", "quantities within the fp32 seed spread", "worst ratio",
             f"final {self.split} acc, fp32 seeds", f"final {self.split} acc, bf16",
             "s/epoch fp32 / bf16 (as stored)"], rows))

    def facts(self) -> dict[str, str]:
        """The numbers the page's text quotes: ``prec_configs``, ``prec_within`` ("a of b"
        quantities within the fp32 seed spread), ``prec_worst`` and ``prec_worst_where`` (the
        largest ratio and its quantity and configuration), ``prec_closer`` (how many times
        closer the bf16 run sits to the fp32 run of its seed than two fp32 seeds to each
        other, in the worst quantity: 1 / the largest ratio) and ``prec_acc_inside`` ("a of b" configurations
        whose bf16 final accuracy lies within the fp32 seeds' range)."""
        checks = self.checks()
        rows = [dict(r, label=label) for label, rs in checks.items() for r in rs]
        worst = max(rows, key=lambda r: r["ratio"])
        inside = 0
        for label in checks:
            acc = [r.metric(self.split, "accuracy")[-1] for r in self.fp32[label]]
            inside += min(acc) <= self.bf16[label].metric(self.split, "accuracy")[-1] <= max(acc)
        return {"prec_configs": f"{len(checks)}",
                "prec_within": f"{sum(r['within'] for r in rows)} of {len(rows)}",
                "prec_worst": f"{worst['ratio']:.2f}",
                "prec_worst_where": f"{worst['quantity']} of {worst['label']}",
                "prec_closer": f"{1 / worst['ratio']:.0f}",
                "prec_acc_inside": f"{inside} of {len(checks)}"}

    def verdict(self) -> Text:
        """The rule of the methods chapter: bf16 may become the default only if every
        configuration stays within the fp32 seed spread in every quantity."""
        failing = {label: [r["quantity"] for r in rows if not r["within"]]
                   for label, rows in self.checks().items()}
        failing = {k: v for k, v in failing.items() if v}
        if not failing:
            return Text(f"**bf16 stays within the fp32 seed spread** in every quantity of all "
                        f"{len(self.fp32)} configurations.")
        parts = "; ".join(f"{label}: {len(q)} quantities (e.g. {q[0]})"
                          for label, q in failing.items())
        return Text(f"**bf16 leaves the fp32 seed spread** in {parts}. It stays an option, "
                    f"not the default.")

    def figure(self, estimator: str | None = None):
        """A row per configuration: loss and accuracy (fp32 seeds as a band, bf16 as a line),
        then every layer's I(X;T) of the fp32 seeds and of the bf16 run (default: Renyi)."""
        return plots.precision_grid(self.fp32, self.bf16, estimator=estimator or
                                    self.estimators[-1], split=self.split)
