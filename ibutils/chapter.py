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

from collections.abc import Sequence
from dataclasses import dataclass, field

from . import plots, report
from .config import SPLITS, Profile, binning, check_choice, get_profile, renyi
from .models import paper_variants
from .runner import RunResult, run_study


class Text(str):
    """Markdown that Jupyter (and the book) renders when it is a cell's value."""

    def _repr_markdown_(self) -> str:
        return str(self)


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
        return Text(f"**Runs shown:** profile `{p.name}`, horizon {p.epochs} epochs, seeds "
                    f"{list(p.seeds)}, {len(self.results)} runs.\n\n"
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

    def explorer(self):
        """The ipywidgets explorer of every run of the chapter (needs a live kernel)."""
        from .explore import explorer
        return explorer(self.results)


def load_chapter(factor: str, *, profile: str = "book", datasets=("mnist", "fashion_mnist"),
                 epochs: int | None = None, seeds=None, split: str = "test",
                 bin_width: float = 0.67, n_bins: int = 30, renyi_samples: int = 500,
                 allow_training: bool = True, gradients: bool = False,
                 series: dict[str, list[str]] | None = None, variants=None) -> Chapter:
    """Run or load every run of `factor` (see `ibutils.runner.run_study`) with the chapter's
    three estimators: the paper's fixed bin width, a fixed bin count over each layer's range,
    and the matrix-based Renyi estimator on a seeded subsample. `variants` (default: all of
    the factor's) restricts the chapter to some variants."""
    check_choice("split", split, SPLITS)
    ests = (binning(bin_width=bin_width), binning(n_bins=n_bins), renyi(n_samples=renyi_samples))
    results = run_study(factor, list(datasets), profile=profile, epochs=epochs, seeds=seeds,
                        variants=variants, estimators=ests, allow_training=allow_training,
                        gradients=gradients)
    if variants is not None:
        series = {k: [v for v in vs if v in variants] for k, vs in (series or {}).items()}
    return Chapter(factor, results, get_profile(profile, epochs=epochs, seeds=seeds), split,
                   tuple(e.id for e in ests), dict(series or {}))


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
    return Text(f"**Runs judged:** profile `{p.name}`, horizon {p.epochs} epochs, seeds "
                f"{list(p.seeds)}: {n_runs} runs over {len(chapters)} factors and "
                f"{len(first.datasets)} datasets.{note}")
