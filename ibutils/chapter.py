"""A factor chapter's runs and its standard figures and tables, so a notebook is prose and calls.

    from ibutils.chapter import load_chapter
    ch = load_chapter("depth", profile="book", epochs=200, seeds=[0])
    ch.header()                 # which runs are shown, and a summary table
    ch.planes(ch.paper)         # information planes, one row per dataset (and series)
    ch.compression()            # the compression test of every layer, three estimators

Every method that draws returns the matplotlib axes; every table or sentence is returned as a
`Text` (a string that Jupyter renders as Markdown), and the slider as `Html`.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from . import beyond, plots, report
from .config import (PAPER_OUTPUT_ITY, PROFILES, SPLITS, Profile, binning, check_choice,
                     geometry, get_profile, kde, renyi)
from .models import paper_variants
from .runner import MissingResultError, RunResult, run_study


class Text(str):
    """Markdown that Jupyter (and the book) renders when it is a cell's value."""

    def _repr_markdown_(self) -> str:
        return str(self)


def table(markdown: str, caption: str, name: str) -> Text:
    """A Markdown table as a numbered, captioned MyST table that prose can cite with
    {numref}`name` (the book renders Markdown outputs as MyST)."""
    if not name.replace("-", "").isalnum():
        raise ValueError(f"name: got {name!r}, allowed letters, digits and '-'")
    return Text(f":::{{table}} {caption}\n:name: {name}\n\n{markdown.strip()}\n:::\n")


class Html(str):
    """HTML that Jupyter (and the book) renders when it is a cell's value."""

    def _repr_html_(self) -> str:
        return str(self)


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
        return list(report.group(self.results, "variant"))

    @property
    def datasets(self) -> list[str]:
        return list(report.group(self.results, "dataset"))

    def _series(self) -> dict[str, list[RunResult]]:
        if not self.series:
            return {"": self.results}
        return {name: [r for r in self.results if r.variant in variants]
                for name, variants in self.series.items()}

    def rows(self) -> dict[str, list[RunResult]]:
        """Runs per row of a figure: one row per dataset (and series), labelled."""
        return {f"{d} {name}".strip(): [r for r in runs if r.dataset == d]
                for name, runs in self._series().items() for d in self.datasets}

    def header(self) -> Text:
        """Which runs the chapter shows (profile, horizon, seeds) and their summary table."""
        p = self.profile
        fewer = [f"{runs[0].dataset} {runs[0].variant} ({len(runs)})"
                 for runs in report.group(self.results, "label_config").values()
                 if len(runs) < len(p.seeds)]
        note = (f" Configurations with fewer seeds (still computing): {', '.join(fewer)}."
                if fewer else "")
        return Text(f"**Runs shown:** profile `{p.name}`, horizon {p.epochs} epochs, seeds "
                    f"{list(p.seeds)}, {len(self.results)} runs.{note}\n\n"
                    + report.summary_table(self.results, self.paper))

    def planes(self, estimator: str):
        """Information planes under one estimator, a row per dataset (and series)."""
        return plots.info_planes(list(self.rows().values()), split=self.split,
                                 estimator=estimator)

    def saturation(self) -> Text:
        """How many hidden-layer points sit at log2 N under the paper's estimator."""
        sat = report.saturation_counts(self.results, self.paper, self.split)
        return Text(f"Hidden-layer points at I(X;T) = log2 N (paper's estimator, {self.split} "
                    f"set): **{sat['saturated']} of {sat['points']}** "
                    f"({100 * sat['fraction']:.1f}%); the largest distance below log2 N of "
                    f"any hidden point is {sat['max_gap_bits']:.3f} bits.")

    def compression(self) -> Text:
        """The compression test of every layer of every configuration, all three estimators."""
        intro = ("**Does any layer compress?** Drop of I(X;T) from its peak to the last "
                 "snapshot (* = larger than the spread across seeds and 0.05), with the epoch "
                 "of the peak in brackets; empty cells: the net has no such layer.")
        tables = [report.compression_table(report.by_config(runs), list(self.estimators),
                                           split=self.split)
                  for runs in self._series().values()]
        return Text("\n\n".join([intro, *tables]))

    def fitting(self) -> Text:
        """Final accuracy and output I(T;Y), speed of fitting and onset of overfitting."""
        return Text(report.fitting_table(self.results, self.paper, self.split))

    def curves(self):
        """Training (dashed) and test (solid) loss and accuracy, a row per dataset (series)."""
        return plots.training_grid(self.rows())

    def output_mi(self):
        """Softmax I(X;T) and I(T;Y) against epoch under the paper's estimator."""
        return plots.output_mi_grid(self.rows(), estimator=self.paper)

    def layer_mi(self, variants: Sequence[str]):
        """Every layer's I(X;T) against epoch for some variants, one column per estimator."""
        picks = report.by_config(r for r in self.results if r.variant in variants)
        return plots.layer_mi_grid(picks, list(self.estimators), split=self.split)

    def gradients(self, kind: str = "gradients"):
        """Gradient mean and spread ("gradients") or weight norms ("weights"), a panel per
        configuration (needs runs loaded with ``gradients=True`` for the former)."""
        return plots.gradient_grid(self.rows(), kind)

    def snr(self) -> Text:
        """Gradient signal-to-noise ratio per layer: first, last, and first epoch below 1."""
        return Text(report.snr_table(self.results))

    def animation(self, variant: str, estimator: str | None = None) -> Html:
        """An epoch slider over one variant's plane (first dataset), playable without a kernel."""
        names = list(dict.fromkeys(r.variant for r in self.results))
        check_choice("variant", variant, names)
        run = next(r for r in self.results if r.variant == variant)
        anim = plots.info_plane_animation(run, split=self.split,
                                          estimator=estimator or self.renyi)
        return Html(anim.to_jshtml())

    @cached_property
    def facts(self) -> dict[str, str]:
        """The numbers the chapter's text quotes, by name (`report.chapter_facts`)."""
        return report.chapter_facts(self.results, list(self.estimators), self.split)

    def glue(self) -> None:
        """Paste `facts` into the notebook (`glue`), for ``{glue:text}`name``` in the text."""
        glue(self.facts)

    def explorer(self):
        """The ipywidgets explorer of every run of the chapter (needs a live kernel)."""
        from .explore import explorer
        return explorer(self.results)


def chapter_estimators(bin_width: float = 0.67, n_bins: int = 30, renyi_samples: int = 500):
    """The three estimators every chapter compares: the paper's fixed bin width, a fixed bin
    count over each layer's range, and matrix-based Renyi on a seeded subsample."""
    return binning(bin_width=bin_width), binning(n_bins=n_bins), renyi(n_samples=renyi_samples)


def _with_stored_seeds(results: list[RunResult], factor: str, seeds, **kwargs) -> list:
    """`results` plus the runs of the same configurations under `seeds` that are already
    stored (with every estimator asked for); nothing is trained. `kwargs` go to `run_study`."""
    out = list(results)
    for seed in seeds:
        for r in results:
            try:
                out += run_study(factor, [r.dataset], seeds=[seed], variants=[r.variant],
                                 allow_training=False, progress=False, **kwargs)
            except MissingResultError:
                pass
    return out


def load_chapter(factor: str, *, profile: str = "book", datasets=("mnist", "fashion_mnist"),
                 epochs: int | None = None, seeds=None, split: str = "test",
                 bin_width: float = 0.67, n_bins: int = 30, renyi_samples: int = 500,
                 allow_training: bool = True, gradients: bool = False,
                 series: dict[str, list[str]] | None = None, variants=None,
                 stored_seeds: bool = False) -> Chapter:
    """Run or load every run of `factor` (see `ibutils.runner.run_study`) with the chapter's
    three estimators: the paper's fixed bin width, a fixed bin count over each layer's range,
    and the matrix-based Renyi estimator on a seeded subsample. `variants` (default: all of
    the factor's) restricts the chapter to some variants.

    `stored_seeds`: the first of `seeds` is run or loaded for every configuration; the others
    only where they are already stored (never trained), so a chapter can show seed bands for
    the configurations that have them while the rest are still computing. The header names
    the configurations with fewer seeds."""
    check_choice("split", split, SPLITS)
    ests = chapter_estimators(bin_width, n_bins, renyi_samples)
    prof = get_profile(profile, epochs=epochs, seeds=seeds)
    first = list(prof.seeds)[:1] if stored_seeds else seeds
    results = run_study(factor, list(datasets), profile=profile, epochs=epochs, seeds=first,
                        variants=variants, estimators=ests, allow_training=allow_training,
                        gradients=gradients)
    if stored_seeds:
        results = _with_stored_seeds(results, factor, list(prof.seeds)[1:], profile=profile,
                                     epochs=epochs, estimators=ests, gradients=gradients)
    if variants is not None:
        series = {k: [v for v in vs if v in variants] for k, vs in (series or {}).items()}
    return Chapter(factor, results, prof, split, tuple(e.id for e in ests), dict(series or {}))


def load_study(factors=None, exclude: dict[str, list[str]] | None = None,
               **kwargs) -> dict[str, Chapter]:
    """`load_chapter` for every factor (default: all five of the paper), same arguments.

    `exclude` maps a factor to variants left out (e.g. runs still training); the page that
    uses it should say so (`study_header` does).
    """
    exclude = exclude or {}
    for factor, names in exclude.items():
        check_choice("exclude", factor, tuple(paper_variants()))
        for name in names:
            check_choice(f"exclude[{factor!r}]", name, tuple(paper_variants()[factor]))
    chapters = {}
    for factor in factors or paper_variants():
        keep = [v for v in paper_variants()[factor] if v not in exclude.get(factor, ())]
        chapters[factor] = load_chapter(factor, variants=keep if factor in exclude else None,
                                        **kwargs)
    return chapters


def study_facts(chapters: dict[str, Chapter]) -> dict[str, str]:
    """Every chapter's `Chapter.facts`, each name prefixed by its factor
    (``{factor}_{name}``, e.g. ``kernel_mnist_5conv_k7_fast``), for a whole-study page that
    quotes per-variant numbers next to its own (`report.verdict_facts`) without clashes."""
    return {f"{factor}_{name}": value for factor, ch in chapters.items()
            for name, value in ch.facts.items()}


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
    n_configs = n_fewer = 0
    for ch in chapters.values():
        for runs in report.group(ch.results, "label_config").values():
            n_configs += 1
            n_fewer += len(runs) < len(p.seeds)
    if n_fewer:
        note += (f" {n_fewer} of the {n_configs} configurations have fewer seeds so far (each "
                 "chapter's header names them).")
    return Text(f"**Runs judged:** profile `{p.name}`, horizon {p.epochs} epochs, seeds "
                f"{list(p.seeds)}: {n_runs} runs over {len(chapters)} factors and "
                f"{len(first.datasets)} datasets.{note}")


@dataclass
class Reproduction(Chapter):
    """Runs at the paper's own horizon (`paper` profile: 10,000 epochs, its 36 snapshots)
    beside what Li & Liu's released files show, and beside the same runs stored under a
    shorter profile (`shorter`), which must agree on the epochs both record."""

    shorter: list[RunResult] = field(default_factory=list)

    def against_paper(self) -> Text:
        """Our numbers beside the paper's released ones (`report.reproduction_table`)."""
        rows = report.reproduction_rows(self.results, self.paper, self.split, PAPER_OUTPUT_ITY)
        return Text(report.reproduction_table(rows, self.split))

    def agreement(self) -> Text:
        """The same seeds stored under the shorter profile, compared where both record."""
        if not self.shorter:
            return Text("No run of these configurations and seeds is stored under the "
                        "shorter profile, so there is nothing to compare.")
        rows = report.agreement_rows(self.results, self.shorter, list(self.estimators),
                                     split=self.split)
        p = self.shorter[0].payload.get("profile", "shorter")
        return Text(f"Runs compared with profile `{p}`: {len(rows)}.\n\n"
                    + report.agreement_table(rows, list(self.estimators), self.split))


def load_reproduction(picks: dict[str, list[str]], *, profile: str = "paper",
                      datasets=("mnist",), epochs: int | None = None, seeds=None,
                      split: str = "test", bin_width: float = 0.67, n_bins: int = 30,
                      renyi_samples: int = 500, allow_training: bool = True,
                      shorter_profile: str | None = "book",
                      shorter_epochs: int | None = 200) -> Reproduction:
    """Run or load some configurations (`picks`: factor -> variants) under `profile` with the
    chapter estimators of `load_chapter`, plus the same configurations and seeds already
    stored under `shorter_profile` and `shorter_epochs` (never trained; None: no comparison)."""
    check_choice("split", split, SPLITS)
    for factor, names in picks.items():
        check_choice("picks", factor, tuple(paper_variants()))
        for name in names:
            check_choice(f"picks[{factor!r}]", name, tuple(paper_variants()[factor]))
    if shorter_profile is not None:
        check_choice("shorter_profile", shorter_profile, tuple(PROFILES))
    ests = chapter_estimators(bin_width, n_bins, renyi_samples)
    prof = get_profile(profile, epochs=epochs, seeds=seeds)
    results, shorter = [], []
    for factor, names in picks.items():
        runs = run_study(factor, list(datasets), profile=profile, epochs=epochs, seeds=seeds,
                         variants=names, estimators=ests, allow_training=allow_training)
        results += runs
        if shorter_profile is None:
            continue
        for r in runs:
            try:
                shorter += run_study(factor, [r.dataset], profile=shorter_profile,
                                     epochs=shorter_epochs, seeds=[r.seed], variants=[r.variant],
                                     estimators=ests, allow_training=False, progress=False)
            except MissingResultError:
                pass
    return Reproduction("reproduction", results, prof, split, tuple(e.id for e in ests),
                        shorter=shorter)


BEYOND_ACTIVATIONS = ("tanh", "relu")


def glue(facts: dict[str, str]) -> None:
    """Paste named numbers into the notebook (`myst_nb.glue`, not displayed), so its text
    quotes them with ``{glue:text}`name``` and stays true to the runs the page shows."""
    from myst_nb import glue as paste

    for name, value in facts.items():
        paste(name, value, display=False)


@dataclass
class Beyond:
    """Runs of some factors under tanh and ReLU, with estimators that suit unbounded
    activations and the geometric companions (the chapter "Compression, properly measured")."""

    results: dict[tuple[str, str], list[RunResult]]  # (factor, activation) -> runs
    profile: Profile
    split: str
    estimators: tuple[str, ...]  # ids: paper's bins, bins by count, adaptive, KDE, Renyi
    left_out: list[str] = field(default_factory=list)
    untrained: list[RunResult] = field(default_factory=list)  # `beyond.set_apart_untrained`

    @property
    def all_runs(self) -> list[RunResult]:
        return [r for runs in self.results.values() for r in runs]

    def header(self) -> Text:
        p = self.profile
        note = (f" Left out (not yet computed for this horizon and these seeds): "
                f"{', '.join(self.left_out)}." if self.left_out else "")
        parts = ", ".join(f"{f} {a}: {len(rs)}" for (f, a), rs in self.results.items())
        set_apart = Counter((r.label_config, beyond.activation_of(r))  # stored, not missing
                            for r in self.untrained)
        fewer = [f"{runs[0].dataset} {runs[0].variant} {a}"
                 for (_, a), rs in self.results.items()
                 for label, runs in report.group(rs, "label_config").items()
                 if len(runs) + set_apart[label, a] < len(p.seeds)]
        if fewer and len(p.seeds) > 1:
            note += (f" Configurations with fewer than {len(p.seeds)} seeds (still computing): "
                     f"{', '.join(fewer)}.")
        if self.untrained:
            dead = ", ".join(f"{r.dataset} {r.variant} {beyond.activation_of(r)} seed {r.seed} "
                             f"({r.snapshots()[-1]['train']['accuracy']:.3f})"
                             for r in self.untrained)
            note += (" Set apart, dead (at the last snapshot a hidden layer outputs exactly 0 "
                     f"for every input, so the output is constant; final training accuracy in "
                     f"brackets): {dead}.")
        return Text(f"**Runs shown:** profile `{p.name}`, horizon {p.epochs} epochs, seeds "
                    f"{list(p.seeds)}; runs per factor and activation: {parts}.{note}")

    def planes(self, factor: str, estimator: str, dataset: str = "mnist"):
        """Information planes of one factor on one dataset: a row per activation."""
        rows = [[r for r in self.results[(factor, a)] if r.dataset == dataset]
                for a in BEYOND_ACTIVATIONS if (factor, a) in self.results]
        axes = plots.info_planes(rows, split=self.split, estimator=estimator)
        for row, act in zip(axes, [a for a in BEYOND_ACTIVATIONS if (factor, a) in self.results]):
            row[0].set_ylabel(f"{act}\nI(T;Y) [bits]")
        return axes

    @cached_property
    def cells(self) -> list[dict]:
        """`beyond.cell_rows` of every run, computed once for all the tables."""
        return beyond.cell_rows(self.all_runs, self.estimators, split=self.split)

    @cached_property
    def gaps(self) -> list[dict]:
        """`beyond.gap_rows` of every run, computed once for the table and the figure."""
        return beyond.gap_rows(self.all_runs, self.estimators, split=self.split)

    def ceilings(self) -> Text:
        """Hidden-layer points at the ceiling of each binning and KDE estimator."""
        return Text(beyond.ceiling_table(self.all_runs, self.estimators, split=self.split))

    def phases(self) -> Text:
        """Per factor, activation and estimator: how many hidden layers compress."""
        return Text(beyond.phase_table(self.cells))

    def coincidence(self) -> Text:
        """Do compressing layers saturate or cluster while they compress?"""
        return Text(beyond.coincidence_table(self.cells))

    def gap(self) -> Text:
        """Correlation of the largest drop with the generalisation gap, per estimator."""
        return Text(beyond.gap_table(self.gaps, self.estimators))

    def gap_scatter(self):
        return plots.gap_scatter(self.gaps, self.estimators)

    def summary(self, gap_estimator: str | None = None) -> Text:
        """The verdict's columns beyond the paper (`beyond.summary_table`)."""
        return Text(beyond.summary_table(self.cells, self.gaps,
                                         gap_estimator=gap_estimator or self.estimators[-1]))

    @cached_property
    def facts(self) -> dict[str, str]:
        """The numbers the chapter's text quotes, by name (`beyond.facts`)."""
        return beyond.facts(self.all_runs, self.cells, self.gaps, self.estimators,
                            split=self.split,
                            activations=list(dict.fromkeys(a for _, a in self.results)))

    def glue(self) -> None:
        """Paste `facts` into the notebook (`glue`)."""
        glue(self.facts)

    def geometry(self, factor: str, variant: str, estimator: str, dataset: str = "mnist"):
        """I(X;T), saturation and class clustering of one variant, a row per activation."""
        groups = {f"{a} {dataset} {variant}": [r for r in self.results[(factor, a)]
                                               if r.variant == variant and r.dataset == dataset]
                  for a in BEYOND_ACTIVATIONS if (factor, a) in self.results}
        groups = {k: v for k, v in groups.items() if v}
        if not groups:
            raise ValueError(f"variant: got {variant!r} for factor {factor!r}, allowed "
                             f"{sorted({r.variant for r in self.all_runs if r.factor == factor})}")
        return plots.geometry_grid(groups, estimator, split=self.split)


def load_beyond(factors=("width", "depth"), activations=BEYOND_ACTIVATIONS, *,
                profile: str = "book", datasets=("mnist", "fashion_mnist"),
                epochs: int | None = None, seeds=None, split: str = "test",
                exclude: dict[str, dict[str, list[str]]] | None = None,
                allow_training: bool = True, stored_seeds: bool = False) -> Beyond:
    """Run or load `factors` under each activation with the estimators of "Compression,
    properly measured": the paper's 0.67 bins, 30 bins over each layer's range, 30 equal-mass
    (adaptive) bins, the KDE upper bound (noise variance 0.1) and matrix-based Renyi, plus the
    geometry measures. `exclude` maps an activation to {factor: variants left out}.
    `stored_seeds` as in `load_chapter`: the first seed everywhere, the others where stored.
    Dead runs are set apart (`beyond.set_apart_untrained`) and named."""
    check_choice("split", split, SPLITS)
    exclude = exclude or {}
    for act, by_factor in exclude.items():
        check_choice("exclude", act, BEYOND_ACTIVATIONS)
        for factor, names in by_factor.items():
            check_choice(f"exclude[{act!r}]", factor, tuple(paper_variants()))
            for name in names:
                check_choice(f"exclude[{act!r}][{factor!r}]", name,
                             tuple(paper_variants()[factor]))
    for factor in factors:
        check_choice("factors", factor, tuple(paper_variants()))
    for act in activations:
        check_choice("activations", act, BEYOND_ACTIVATIONS)
    ests = (binning(bin_width=0.67), binning(n_bins=30), binning(equal_mass=30), kde(), renyi())
    prof = get_profile(profile, epochs=epochs, seeds=seeds)
    first = list(prof.seeds)[:1] if stored_seeds else seeds
    results, left_out, untrained = {}, [], []
    for factor in factors:
        for act in activations:
            skip = exclude.get(act, {}).get(factor, [])
            keep = [v for v in paper_variants()[factor] if v not in skip]
            left_out += [f"{factor} {v} ({act})" for v in skip]
            runs = run_study(factor, list(datasets), profile=profile, epochs=epochs,
                             seeds=first, variants=keep, estimators=(*ests, geometry()),
                             activation=act, allow_training=allow_training)
            if stored_seeds:
                runs = _with_stored_seeds(runs, factor, list(prof.seeds)[1:], profile=profile,
                                          epochs=epochs, estimators=(*ests, geometry()),
                                          activation=act)
            results[(factor, act)], dead = beyond.set_apart_untrained(runs, split)
            untrained += [r for r in dead if r.config.key() not in {u.config.key()
                                                                   for u in untrained}]
    return Beyond(results, prof, split, tuple(e.id for e in ests), left_out, untrained)


@dataclass
class PrecisionCheck:
    """fp32 seeds and one bf16 run per configuration: is bf16 within the seeds' spread?"""

    fp32: dict[str, list[RunResult]]  # configuration label -> fp32 seed runs
    bf16: dict[str, RunResult]  # configuration label -> the bf16 run (first seed)
    profile: Profile
    split: str
    estimators: tuple[str, ...]

    def checks(self) -> dict[str, list[dict]]:
        return {label: report.precision_check(self.fp32[label], self.bf16[label],
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
        return Text(report.markdown_table(
            ["configuration", "quantities within the fp32 seed spread", "worst ratio",
             f"final {self.split} acc, fp32 seeds", f"final {self.split} acc, bf16",
             "s/epoch fp32 / bf16 (as stored)"], rows))

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


def load_precision(configs, *, dataset: str = "mnist", profile: str = "book",
                   epochs: int | None = None, seeds=None, split: str = "test",
                   allow_training: bool = True) -> PrecisionCheck:
    """fp32 runs of every seed and a bf16 run of the first seed, per (factor, variant) in
    `configs`, with the chapters' three estimators. `seeds` None means 0, 1, 2 whatever the
    profile (the comparison needs a spread)."""
    check_choice("split", split, SPLITS)
    seeds = [0, 1, 2] if seeds is None else seeds
    for factor, variant in configs:
        check_choice("factor", factor, tuple(paper_variants()))
        check_choice("variant", variant, tuple(paper_variants()[factor]))
    prof = get_profile(profile, epochs=epochs, seeds=seeds)
    if len(prof.seeds) < 3:
        raise ValueError(f"seeds: got {list(prof.seeds)}, allowed at least 3 seeds (the "
                         f"spread bf16 is compared with)")
    ests = (binning(bin_width=0.67), binning(n_bins=30), renyi())
    fp32, bf16 = {}, {}
    for factor, variant in configs:
        kw = {"profile": profile, "epochs": epochs, "variants": [variant], "estimators": ests,
              "allow_training": allow_training}
        label = f"{factor} {variant}"
        fp32[label] = run_study(factor, [dataset], seeds=list(prof.seeds), **kw)
        bf16[label] = run_study(factor, [dataset], seeds=list(prof.seeds)[:1],
                                precision="bf16", **kw)[0]
    return PrecisionCheck(fp32, bf16, prof, split, tuple(e.id for e in ests))
