"""The page object of the chapter "Saturation and clustering": runs of some factors under
tanh and ReLU, with estimators that suit unbounded activations and the geometric companions."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from .. import plots
from ..analysis import compression_test
from ..analysis.mechanisms import activation_of, cell_rows, gap_rows
from ..analysis.runs import by_config, group
from ..config import Profile
from ..labels import ACTIVATION_LABELS, config_label, network_label
from ..results import RunResult
from . import tables
from .facts import calibrated_facts, compression_chapter_facts
from .render import Text, glue

ACTIVATIONS = ("tanh", "relu")


@dataclass
class CompressionChapter:
    """Runs of some factors under tanh and ReLU, with estimators that suit unbounded
    activations and the geometric companions (the chapter "Saturation and clustering")."""

    results: dict[tuple[str, str], list[RunResult]]  # (factor, activation) -> runs
    profile: Profile
    split: str
    estimators: tuple[str, ...]  # ids: paper's bins, bins by count, adaptive, KDE, Renyi
    left_out: list[str] = field(default_factory=list)
    untrained: list[RunResult] = field(default_factory=list)  # `ibutils.analysis.mechanisms.set_apart_untrained`

    @property
    def all_runs(self) -> list[RunResult]:
        return [r for runs in self.results.values() for r in runs]

    def header(self) -> Text:
        p = self.profile
        note = (f" Left out (not yet computed for this horizon and these seeds): "
                f"{', '.join(self.left_out)}." if self.left_out else "")
        parts = ", ".join(f"{f} {a}: {len(rs)}" for (f, a), rs in self.results.items())
        set_apart = Counter((r.label_config, activation_of(r))  # stored, not missing
                            for r in self.untrained)
        fewer = [config_label(runs[0].dataset, runs[0].variant, a)
                 for (_, a), rs in self.results.items()
                 for label, runs in group(rs, "label_config").items()
                 if len(runs) + set_apart[label, a] < len(p.seeds)]
        if fewer and len(p.seeds) > 1:
            note += (f" Configurations with fewer than {len(p.seeds)} seeds (still computing): "
                     f"{', '.join(fewer)}.")
        if self.untrained:
            dead = ", ".join(f"{config_label(r.dataset, r.variant, activation_of(r))}, seed {r.seed} "
                             f"({r.snapshots()[-1]['train']['accuracy']:.3f})"
                             for r in self.untrained)
            note += (" Set apart, dead (at the last snapshot a hidden layer outputs exactly 0 "
                     f"for every input, so the output is constant; final training accuracy in "
                     f"brackets): {dead}.")
        return Text(f"**Runs shown:** profile `{p.name}`, horizon {p.epochs:,} epochs, seeds "
                    f"{list(p.seeds)}; runs per factor and activation: {parts}.{note}")

    def planes(self, factor: str, estimator: str, dataset: str = "mnist"):
        """Information planes of one factor on one dataset: a row per activation, a panel per
        network with its seeds together (`ibutils.plots.seed_planes`). Returns the figure."""
        configs = {}
        for act in ACTIVATIONS:
            runs = [r for r in self.results.get((factor, act), []) if r.dataset == dataset]
            for variant, seeds in group(runs, "variant").items():
                configs[f"{ACTIVATION_LABELS[act]}, {network_label(factor, variant)}"] = seeds
        return plots.seed_planes(configs, split=self.split, estimator=estimator)

    @cached_property
    def cells(self) -> list[dict]:
        """`ibutils.analysis.mechanisms.cell_rows` of every run, computed once for all the tables."""
        return cell_rows(self.all_runs, self.estimators, split=self.split)

    @cached_property
    def gaps(self) -> list[dict]:
        """`ibutils.analysis.mechanisms.gap_rows` of every run, computed once for the table and the figure."""
        return gap_rows(self.all_runs, self.estimators, split=self.split)

    def ceilings(self) -> Text:
        """Hidden-layer points at the ceiling of each binning and KDE estimator."""
        return Text(tables.ceiling_table(self.all_runs, self.estimators, split=self.split))

    def phases(self) -> Text:
        """Per factor, activation and estimator: how many hidden layers compress."""
        return Text(tables.phase_table(self.cells))

    def coincidence(self) -> Text:
        """Do compressing layers saturate or cluster while they compress?"""
        return Text(tables.coincidence_table(self.cells))

    def gap(self) -> Text:
        """Correlation of the largest drop with the generalisation gap, per estimator."""
        return Text(tables.gap_table(self.gaps, self.estimators))

    def gap_scatter(self):
        return plots.gap_scatter(self.gaps, self.estimators)

    @cached_property
    def calibrated_rows(self) -> list[dict]:
        """The calibrated compression test (`ibutils.analysis.compression_test.summary`) per
        activation, both sets, every estimator: rows with an ``activation`` key."""
        rows = []
        for act in dict.fromkeys(a for _, a in self.results):
            runs = {r.config.key(): r for (_, a), rs in self.results.items() if a == act
                    for r in rs}  # a network in two factors once
            for row in compression_test.summary(by_config(list(runs.values())),
                                                self.estimators):
                rows.append({"activation": act, **row})
        return rows

    def calibrated(self) -> Text:
        """`calibrated_rows` as a table."""
        return Text(tables.calibrated_table(self.calibrated_rows))

    def summary(self, gap_estimator: str | None = None) -> Text:
        """The verdict's columns beyond the paper (`ibutils.book.tables.mechanisms_summary_table`)."""
        return Text(tables.mechanisms_summary_table(self.cells, self.gaps,
                                         gap_estimator=gap_estimator or self.estimators[-1]))

    @cached_property
    def facts(self) -> dict[str, str]:
        """The numbers the chapter's text quotes, by name (`ibutils.book.facts.compression_chapter_facts`)."""
        return compression_chapter_facts(self.all_runs, self.cells, self.gaps, self.estimators,
                            split=self.split,
                            activations=list(dict.fromkeys(a for _, a in self.results)))

    def glue(self) -> None:
        """Paste `facts` into the notebook (`glue`), and the calibrated test's numbers per
        activation (``{activation}_cal_...``)."""
        glue(self.facts)
        for act in ACTIVATIONS:
            mine = [r for r in self.calibrated_rows if r["activation"] == act]
            glue({f"{act}_{k}": v for k, v in calibrated_facts(mine, self.estimators).items()})

    def geometry(self, factor: str, variant: str, estimator: str, dataset: str = "mnist"):
        """I(X;T), saturation and class clustering of one variant, a row per activation."""
        groups = {f"{ACTIVATION_LABELS[a]}, {config_label(dataset, variant)}":
                  [r for r in self.results[(factor, a)]
                   if r.variant == variant and r.dataset == dataset]
                  for a in ACTIVATIONS if (factor, a) in self.results}
        groups = {k: v for k, v in groups.items() if v}
        if not groups:
            raise ValueError(f"variant: got {variant!r} for factor {factor!r}, allowed "
                             f"{sorted({r.variant for r in self.all_runs if r.factor == factor})}")
        return plots.geometry_grid(groups, estimator, split=self.split)
