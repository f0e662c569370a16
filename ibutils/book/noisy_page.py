"""The page object of the chapter "Noisy networks": the paper's nets with Gaussian noise on
every hidden layer (Goldfeld et al. 2019), where I(X;T) is finite and a property of the
model, measured with `ibutils.mi.noisy_mi` beside the paper's bins and Renyi."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from .. import plots
from ..analysis import compression_test
from ..analysis.runs import group
from ..config import Profile, spacing
from ..labels import SPLIT_LABELS, estimator_label, network_label, noise_label
from ..results import RunResult
from .chapters import seed_coverage
from .facts import float_span
from .render import FigureTabs, Text, markdown_table

CEILING_TOL = 0.01  # bits: a noisy estimate within this of log2 N is at the ceiling
SPACING = spacing().id  # distances between representations (`ibutils.geometry.spacing`)


@dataclass
class NoisyChapter:
    """Noisy runs (`results`, by noise sd) and their deterministic twins (`baseline`)."""

    results: dict[float, list[RunResult]]  # noise sd -> stored runs
    baseline: list[RunResult]  # the same nets and seeds without noise
    profile: Profile
    split: str
    estimators: tuple[str, ...]  # noisy-network MI, the paper's bins, Renyi
    missing: list[str] = field(default_factory=list)
    configurations: int | None = None  # distinct nets asked for (None: those stored)

    @property
    def noisy(self) -> str:
        return self.estimators[0]

    @property
    def all_runs(self) -> list[RunResult]:
        return [r for runs in self.results.values() for r in runs]

    def ceiling(self, run: RunResult) -> float:
        """log2 of the inputs the noisy estimate is taken on: its largest possible I(X;T)."""
        n_samples = dict(_params(self.noisy)).get("n_samples", run.n[self.split])
        return float(np.log2(min(int(n_samples), run.n[self.split])))

    def groups(self, noise_std: float) -> dict[str, list[RunResult]]:
        """label -> seed runs of one noise level, in the order of `NOISY_NETS`."""
        return {network_label(r[0].factor, r[0].variant): r
                for r in group(self.results.get(noise_std, []), "label_config").values()}

    def header(self) -> Text:
        text = (f"**Runs shown:** MNIST, profile `{self.profile.name}`, horizon "
                f"{self.profile.epochs} epochs, Gaussian noise on every hidden layer."
                + ("" if self.all_runs else " None stored yet."))
        for s, rs in self.results.items():
            if rs:
                text += (f"\n\nAt {noise_label(s)}, {len(rs)} runs: "
                         f"{seed_coverage(rs, self.profile.seeds, self.configurations)}")
        if self.missing:
            text += "\n\nNot yet computed:\n\n" + "\n".join(f"- {m}" for m in self.missing)
        return Text(text)

    def curves(self, noise_std: float, groups: dict | None = None):
        """Every hidden layer's I(X;T) against epoch under noisy-network MI and Renyi, a row
        per network (`ibutils.plots.layer_mi_grid`; default: every net of the noise level)."""
        return plots.layer_mi_grid(self.groups(noise_std) if groups is None else groups,
                                   [self.noisy, self.estimators[2]], split=self.split)

    def curve_tabs(self, name: str, caption: str) -> FigureTabs | None:
        """`curves` under tabs, one per noise level and part of the study (the width series;
        the pooling and FC nets) with stored runs (None if there is none)."""
        figures = {label: self.curves(s, groups)[0][0].figure
                   for label, s, groups in self._parts(self.groups)}
        return FigureTabs(name, figures, caption) if figures else None

    def _parts(self, groups_of) -> list[tuple[str, float, dict]]:
        """(tab label, noise sd, {network: seed runs}) per noise level and part of the study
        (the width series; the pooling and FC nets), where `groups_of(noise_sd)` has runs."""
        out = []
        for s in self.results:
            groups = groups_of(s)
            for part, keep in (("width series", lambda f: f == "width"),
                               ("pooling and FC nets", lambda f: f != "width")):
                mine = {k: v for k, v in groups.items() if keep(v[0].factor)}
                if mine:
                    out.append((f"{noise_label(s)}, {part}", s, mine))
        return out

    def spacing_groups(self, noise_std: float) -> dict[str, list[RunResult]]:
        """`groups` whose every seed carries the spacing measure (the others are left out)."""
        return {label: runs for label, runs in self.groups(noise_std).items()
                if all(_records(r, self.split, SPACING) for r in runs)}

    def spacing_tabs(self, name: str, caption: str) -> FigureTabs | None:
        """`ibutils.plots.spacing_grid` under tabs, one per noise level and part of the study
        whose runs carry the spacing measure (None if there is none)."""
        figures = {label: plots.spacing_grid(groups, SPACING, s, split=self.split)[0][0].figure
                   for label, s, groups in self._parts(self.spacing_groups)}
        return FigureTabs(name, figures, caption) if figures else None

    def spacing_rows(self) -> list[dict]:
        """Per noise level, network and hidden layer (seed means, `split`): the median
        nearest-neighbour distance in units of the noise sd at the first and last snapshot
        and its smallest value over training, the within/between class distance ratio at the
        first and last snapshot, and the layer's noisy I(X;T) at the last snapshot."""
        out = []
        for s in self.results:
            for label, runs in self.spacing_groups(s).items():
                for layer in [la for la in runs[0].layers if la != "softmax"]:
                    near = np.mean([r.mi(self.split, SPACING, layer, "nearest")
                                    for r in runs], axis=0) / s
                    ratio = np.mean([r.mi(self.split, SPACING, layer, "within")
                                     / r.mi(self.split, SPACING, layer, "between")
                                     for r in runs], axis=0)
                    ixt = np.mean([r.mi(self.split, self.noisy, layer, "i_xt")[-1]
                                   for r in runs])
                    out.append({"noise_std": s, "network": label, "layer": layer,
                                "nearest_first": float(near[0]),
                                "nearest_last": float(near[-1]),
                                "nearest_min": float(near.min()),
                                "ratio_first": float(ratio[0]), "ratio_last": float(ratio[-1]),
                                "i_xt_last": float(ixt), "ceiling": self.ceiling(runs[0])})
        return out

    def spacing_table(self) -> str:
        """`spacing_rows` as a Markdown table."""
        body = [[noise_label(r["noise_std"]), r["network"], r["layer"],
                 f"{r['nearest_first']:.1f} → {r['nearest_last']:.1f}",
                 f"{r['nearest_min']:.1f}",
                 f"{r['ratio_first']:.2f} → {r['ratio_last']:.2f}",
                 f"{r['i_xt_last']:.2f} of {r['ceiling']:.2f}"]
                for r in self.spacing_rows()]
        return markdown_table(
            ["noise", "network", "layer",
             "nearest-neighbour distance / noise sd, first → last snapshot",
             "smallest over training", "within / between class distance, first → last",
             "noisy I(X;T) at the last snapshot [bits]"], body)

    def spacing_facts(self) -> dict[str, str]:
        """The numbers the chapter quotes from `spacing_rows` ("n/a" without such rows)."""
        rows = self.spacing_rows()
        if not rows:
            return dict.fromkeys(
                ["spacing_layers", "spacing_nets", "spacing_ratio_fell", "spacing_ratio_first",
                 "spacing_ratio_last", "spacing_nearest_min", "spacing_nearest_where"], "n/a")
        fell = [r for r in rows if r["ratio_last"] < r["ratio_first"]]
        closest = min(rows, key=lambda r: r["nearest_min"])
        return {
            "spacing_layers": f"{len(rows)}",
            "spacing_nets": f"{len({(r['noise_std'], r['network']) for r in rows})}",
            "spacing_ratio_fell": f"{len(fell)}",
            "spacing_ratio_first": (f"{min(r['ratio_first'] for r in rows):.2f}-"
                                    f"{max(r['ratio_first'] for r in rows):.2f}"),
            "spacing_ratio_last": (f"{min(r['ratio_last'] for r in rows):.2f}-"
                                   f"{max(r['ratio_last'] for r in rows):.2f}"),
            "spacing_nearest_min": f"{closest['nearest_min']:.1f}",
            "spacing_nearest_where": (f"{closest['layer']} of the {closest['network']} net at "
                                      f"{noise_label(closest['noise_std'])}"),
        }

    @cached_property
    def tests(self) -> dict[float, list[dict]]:
        """The calibrated compression test (`ibutils.analysis.compression_test.summary`) per
        noise level, under each of the page's estimators, on both sets."""
        return {s: compression_test.summary(self.groups(s), self.estimators)
                for s in self.results if len([g for g in self.groups(s).values()
                                              if len(g) >= 2])}

    def rows(self) -> list[dict]:
        """Per noise level and network: seeds, final test accuracy (noisy; its deterministic
        twin), the share of hidden-layer points whose noisy I(X;T) is at the ceiling, the
        lowest noisy I(X;T) of any hidden layer and snapshot, the final noisy I(T;Y) of the
        last hidden layer, and the largest fall of the seed-mean noisy I(X;T) from its peak."""
        out = []
        twins = group(self.baseline, "label_config")
        for s, runs_by in ((s, self.groups(s)) for s in self.results):
            for label, runs in runs_by.items():
                twin = twins.get(runs[0].label_config, [])
                hidden = [la for la in runs[0].layers if la != "softmax"]
                ceiling = self.ceiling(runs[0])
                ixt = np.array([[r.mi(self.split, self.noisy, la, "i_xt") for la in hidden]
                                for r in runs])  # (seeds, layers, snapshots)
                mean = ixt.mean(axis=0)
                falls = [float(m.max() - m[-1]) for m in mean]
                last_ity = float(np.mean([r.mi(self.split, self.noisy, hidden[-1], "i_ty")[-1]
                                          for r in runs]))
                out.append({
                    "noise_std": s, "network": label, "seeds": len(runs),
                    "accuracy": float(np.mean([_accuracy(r, self.split) for r in runs])),
                    "twin_accuracy": (float(np.mean([_accuracy(r, self.split) for r in twin]))
                                      if twin else float("nan")),
                    "at_ceiling": float(np.mean(ixt >= ceiling - CEILING_TOL)),
                    "lowest": float(ixt.min()), "ceiling": ceiling,
                    "last_ity": last_ity,
                    "largest_fall": max(falls),
                })
        return out

    def table(self) -> str:
        """`rows` as a Markdown table."""
        body = [[noise_label(r["noise_std"]), r["network"], r["seeds"],
                 f"{r['accuracy']:.3f} ({r['twin_accuracy']:.3f})",
                 f"{100 * r['at_ceiling']:.1f}%", f"{r['lowest']:.2f} of {r['ceiling']:.2f}",
                 f"{r['last_ity']:.2f}", f"{r['largest_fall']:.3f}"]
                for r in self.rows()]
        return markdown_table(
            ["noise", "network", "seeds", "test accuracy (without noise)",
             "hidden points at the ceiling", "lowest I(X;T) [bits]",
             "last hidden layer's I(T;Y) at epoch 200 [bits]",
             "largest fall of I(X;T) from its peak [bits]"], body)

    def test_table(self) -> str:
        """The calibrated test per noise level, estimator and set, as a Markdown table."""
        body = [[noise_label(s), estimator_label(t["estimator"]), SPLIT_LABELS[t["split"]],
                 t["cells"],
                 f"{t['floor']:.3f}", t["passed"], f"{t['largest']:.3f}", t["where"],
                 f"{100 * t['null_rate']:.1f}%"]
                for s, tests in self.tests.items() for t in tests]
        return markdown_table(["noise", "estimator", "set", "cells", "floor", "pass",
                               "largest mean drop after fitting", "where",
                               "false-positive rate (shuffled)"], body)

    def facts(self) -> dict[str, str]:
        """The numbers the chapter's text quotes, by name."""
        rows = self.rows()
        stored = [f"at {noise_label(s)}: {'; '.join(self.groups(s))}"  # labels hold commas
                  for s in self.results if self.results[s]]
        facts = {"noisy_runs": f"{len(self.all_runs)}",
                 "noisy_nets_list": " and ".join(stored) or "none",
                 "noisy_nets": f"{len({(r['noise_std'], r['network']) for r in rows})}"}
        if rows:
            points = np.array([r["at_ceiling"] for r in rows])
            facts["noisy_at_ceiling_min"] = f"{100 * points.min():.1f}%"
            facts["noisy_lowest"] = f"{min(r['lowest'] for r in rows):.2f}"
            facts["noisy_ceiling"] = f"{rows[0]['ceiling']:.2f}"
            facts["noisy_largest_fall"] = f"{max(r['largest_fall'] for r in rows):.3f}"
            change = {s: [r["accuracy"] - r["twin_accuracy"] for r in rows
                          if r["noise_std"] == s and np.isfinite(r["twin_accuracy"])]
                      for s in dict.fromkeys(r["noise_std"] for r in rows)}
            facts["noisy_acc_cost"] = ", ".join(f"{_accuracy_change(c)} at {noise_label(s)}"
                                                for s, c in change.items() if c) or "n/a"
        passed = [t for tests in self.tests.values() for t in tests]
        facts["noisy_test_passed"] = f"{sum(t['passed'] for t in passed)}"
        facts["noisy_test_cells"] = f"{sum(t['cells'] for t in passed)}"
        for est_key, est in (("noisy", self.noisy), ("renyi", self.estimators[2])):
            mine = [t for t in passed if t["estimator"] == est and t["split"] == self.split]
            if mine:
                top = max(mine, key=lambda t: t["largest"])
                facts[f"noisy_{est_key}_largest"] = f"{top['largest']:.3f}"
                facts[f"noisy_{est_key}_where"] = top["where"]
                facts[f"noisy_{est_key}_floor"] = f"{top['floor']:.3f}"
        return facts


def _params(estimator_id: str) -> list[tuple[str, float]]:
    """("n_samples", 1000.0), ... from an estimator id such as noisy_n_samples1000_mc_samples1000."""
    out = []
    for key in ("n_samples", "mc_samples"):
        if key in estimator_id:
            tail = estimator_id.split(key, 1)[1]
            digits = "".join(c for c in tail.split("_")[0] if c.isdigit() or c == ".")
            out.append((key, float(digits)))
    return out


def _records(run: RunResult, split: str, estimator: str) -> bool:
    """Whether every snapshot of `run` holds `estimator` on `split`."""
    return all(estimator in snap[split]["mi"] for snap in run.snapshots())


def _accuracy_change(changes) -> str:
    """Accuracy changes (noisy minus deterministic) in words: "0.005-0.043 lower",
    "0.002 higher to 0.006 lower", "0.001 higher", "no different"."""
    lo, hi = min(changes), max(changes)

    def word(x):
        return ("no different" if f"{abs(x):.3f}" == "0.000" else
                f"{abs(x):.3f} {'higher' if x > 0 else 'lower'}")
    if f"{lo:.3f}" == f"{hi:.3f}":
        return word(lo)
    if hi <= 0:
        return f"{-hi:.3f}-{-lo:.3f} lower"
    if lo >= 0:
        return f"{lo:.3f}-{hi:.3f} higher"
    return f"{word(hi)} to {word(lo)}"


def _accuracy(run: RunResult, split: str) -> float:
    return float(run.snapshots()[-1][split]["accuracy"])


def initial_noise_sweep(factor: str, variant: str, noise_stds, *, n_inputs: int = 1000,
                        seed: int = 0, mc_samples: int = 500) -> list[dict]:
    """`ibutils.analysis.noise_scale.noise_sweep` on the hidden layers of one paper net at its
    random initialisation (`ibutils.train.new_model`, seed `seed`; no noise in earlier layers),
    on a class-balanced subset of `n_inputs` MNIST test images: where between the tanh range
    and far beyond it the noise must lie before I(X;T) leaves log2 N. Cheap (seconds)."""
    import torch

    from ..analysis.noise_scale import noise_sweep
    from ..architecture import get_variant
    from ..config import RunConfig
    from ..data import load_dataset
    from ..record import capture
    from ..train import new_model

    if n_inputs % 10 or n_inputs < 20:
        raise ValueError(f"n_inputs: got {n_inputs!r}, allowed a multiple of 10 >= 20")
    _, test = load_dataset("mnist", test_per_class=n_inputs // 10, seed=seed)
    model, _ = new_model(RunConfig(net=get_variant(factor, variant), dataset="mnist",
                                   seed=seed))
    model.eval()
    acts, _ = capture(model, torch.as_tensor(test.x))
    hidden = {k: v for k, v in acts.items() if k != "softmax"}
    return noise_sweep(hidden, np.asarray(test.y), list(noise_stds), mc_samples=mc_samples,
                       seed=seed)


def upstream_draws_check(factor: str, variant: str, noise_std: float, *, draws=(1, 4, 16, 64),
                         n_inputs: int = 1000, seed: int = 0, mc_samples: int = 500,
                         weights: dict | None = None) -> list[dict]:
    """Does the noisy estimate of a layer behind other noisy layers move when T given X is
    sampled with more draws of the earlier layers' noise? One noisy paper net (at its random
    initialisation, or with `weights`, a state dict), `max(draws)` forward passes of
    `n_inputs` MNIST test images with independent noise in the earlier layers, and
    `ibutils.mi.noisy_mi` with the first K of them as the K centres of each input. Rows:
    ``layer``, ``draws`` (K), ``i_xt``, ``i_xt_se`` (bits), ``ceiling`` (log2 N)."""
    import torch

    from ..architecture import get_variant
    from ..config import RunConfig
    from ..data import load_dataset
    from ..mi.noisy import noisy_mi
    from ..record import MEASURE_NOISE_SEED, capture
    from ..train import new_model

    if not noise_std > 0:
        raise ValueError(f"noise_std: got {noise_std!r}, allowed a positive number")
    if not draws or min(draws) < 1:
        raise ValueError(f"draws: got {list(draws)!r}, allowed positive integers")
    _, test = load_dataset("mnist", test_per_class=n_inputs // 10, seed=seed)
    model, _ = new_model(RunConfig(net=get_variant(factor, variant, noise_std=noise_std),
                                   dataset="mnist", seed=seed))
    if weights is not None:
        model.load_state_dict(weights)
    model.eval()
    x, y = torch.as_tensor(test.x), np.asarray(test.y)
    stacks: dict[str, list] = {}
    for k in range(max(draws)):
        acts, _ = capture(model, x, noise_seed=MEASURE_NOISE_SEED + k)
        for layer, t in acts.items():
            if layer != "softmax":
                stacks.setdefault(layer, []).append(t)
    rows = []
    for layer, ts in stacks.items():
        t = np.stack(ts, axis=1)  # (N, K, D)
        for k in draws:
            r = noisy_mi(t[:, :k], y, noise_std=noise_std, mc_samples=mc_samples, seed=seed)
            rows.append({"layer": layer, "draws": int(k), "i_xt": r.i_xt,
                         "i_xt_se": r.i_xt_se, "ceiling": float(np.log2(len(t)))})
    return rows


def sweep_facts(sweep: list[dict], draws: list[dict], *, noise_std: float = 0.5) -> dict:
    """The numbers the chapter quotes from `initial_noise_sweep` (at `noise_std`: the first
    and the last hidden layer's I(X;T); the range of nearest-neighbour distances) and from
    `upstream_draws_check` (the most draws; the lowest estimate of a layer behind another)."""
    at = [r for r in sweep if r["noise_std"] == noise_std]
    if not at:
        raise ValueError(f"noise_std: got {noise_std!r}, allowed one of the sweep's "
                         f"{sorted({r['noise_std'] for r in sweep})}")
    deep = [r["i_xt"] for r in draws if r["layer"] != draws[0]["layer"]]
    return {"sweep_conv1_at_05": f"{at[0]['i_xt']:.2f}",
            "sweep_last_at_05": f"{at[-1]['i_xt']:.2f}",
            "sweep_nn_range": f"{min(r['nn_distance'] for r in sweep):.1f}-"
                              f"{max(r['nn_distance'] for r in sweep):.1f}",
            "draws_max": f"{max(r['draws'] for r in draws)}",
            "draws_deep_min": f"{min(deep):.2f}" if deep else "n/a"}


def wider_sweep_facts(sweeps: list[list[dict]], *, noise_std: float = 0.5) -> dict:
    """The range, at `noise_std`, of noisy I(X;T) and of the median nearest-neighbour distance
    over the conv layers (``sweep_wide_conv``, ``sweep_wide_conv_nn``) and of I(X;T) over the
    dense layers (``sweep_wide_dense``) of several nets' `initial_noise_sweep` rows."""
    rows = [r for sweep in sweeps for r in sweep if r["noise_std"] == noise_std]
    if not rows:
        raise ValueError(f"noise_std: got {noise_std!r}, allowed a noise level of the sweeps")
    conv = [r for r in rows if r["layer"].startswith("conv")]
    dense = [r["i_xt"] for r in rows if r["layer"].startswith("dense")]
    return {"sweep_wide_conv": float_span([r["i_xt"] for r in conv], ".2f") if conv else "n/a",
            "sweep_wide_conv_nn": (float_span([r["nn_distance"] for r in conv], ".1f")
                                   if conv else "n/a"),
            "sweep_wide_dense": float_span(dense, ".2f") if dense else "n/a"}


def draws_table(draws: list[dict]) -> str:
    """`upstream_draws_check` rows as a Markdown table."""
    return markdown_table(["layer", "draws of the earlier noise per input", "noisy I(X;T) [bits]"],
                          [[r["layer"], r["draws"], f"{r['i_xt']:.2f} ± {r['i_xt_se']:.2f}"]
                           for r in draws])
