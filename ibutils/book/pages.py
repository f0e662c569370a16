"""Loading a page's runs: each loader takes the page's `PageSpec` (its parameters, resolved and
checked once, `ibutils.book.spec`), runs or loads the runs through `ibutils.runner.run_study`
and returns the page object of `ibutils.book.chapters` or `ibutils.book.compression_page`.

Each loader also accepts the notebook's parameters as keywords instead of a spec
(``load_chapter("width", profile="book", epochs=200)``) and builds the spec from them.
"""
from __future__ import annotations

from ..analysis.mechanisms import set_apart_untrained
from ..architecture import get_variant, paper_variants
from ..config import (
    COMPRESSION_ESTIMATORS,
    PROFILES,
    binning,
    check_choice,
    geometry,
    noisy,
    renyi,
)
from ..labels import dataset_label, network_label
from ..planning import NOISE_STDS, NOISY_NETS
from ..results import MissingResultError, RunResult
from ..runner import run_study
from .chapters import Chapter, PrecisionCheck, Reproduction
from .compression_page import ACTIVATIONS, CompressionChapter
from .noisy_page import NoisyChapter
from .spec import PageSpec, page_spec


def _spec(spec: PageSpec | None, params: dict, **defaults) -> PageSpec:
    """`spec`, or the spec of keyword parameters (with a loader's own defaults)."""
    if spec is not None:
        if params:
            raise ValueError(f"spec: give a PageSpec or parameters, not both (got "
                             f"{sorted(params)})")
        return spec
    return page_spec(**{**defaults, **params})


def _runs(factor: str, spec: PageSpec, *, variants=None, estimators=None, activation="tanh",
          gradients: bool = False) -> list[RunResult]:
    """A factor's runs of `spec`: the first seeds run or loaded everywhere, the extra seeds
    added where stored (`PageSpec.stored_seeds`)."""
    estimators = spec.estimators if estimators is None else estimators
    kwargs = {"profile": spec.profile, "estimators": estimators, "activation": activation,
              "gradients": gradients, "device": spec.device}
    results = run_study(factor, list(spec.datasets), seeds=spec.first_seeds, variants=variants,
                        allow_training=spec.allow_training, **kwargs)
    out = list(results)
    for seed in spec.extra_seeds:  # never trained: only what is already stored
        for r in results:
            try:
                out += run_study(factor, [r.dataset], seeds=[seed], variants=[r.variant],
                                 allow_training=False, progress=False, **kwargs)
            except MissingResultError:
                pass
    return out


def load_stored(spec: PageSpec, factors=None) -> list[RunResult]:
    """Every run of `factors` (default: all five) that is stored under the spec's profile,
    horizon, seeds and estimators; nothing is trained and nothing missing is an error (a
    page that compares what exists, such as the fidelity section of the reproduction)."""
    out = []
    for factor in factors or paper_variants():
        for dataset in spec.datasets:
            for variant in paper_variants()[factor]:
                for seed in spec.profile.seeds:
                    try:
                        out += run_study(factor, [dataset], profile=spec.profile, seeds=[seed],
                                         variants=[variant], estimators=spec.estimators,
                                         allow_training=False, progress=False,
                                         device=spec.device)
                    except MissingResultError:
                        pass
    return out


def load_chapter(factor: str, spec: PageSpec | None = None, *, gradients: bool = False,
                 series: dict[str, list[str]] | None = None, variants=None,
                 long_epochs: int | None = None, **params) -> Chapter:
    """Run or load every run of `factor` with the spec's estimators (the chapter's three: the
    paper's fixed bin width, a fixed bin count over each layer's range, and the matrix-based
    Renyi estimator on a seeded subsample). `variants` (default: all of the factor's)
    restricts the chapter to some variants; `series` splits them into rows of a figure;
    `gradients` requires the gradient statistics of every snapshot; `long_epochs` adds the
    first seed of every configuration where it is stored to that longer horizon (never
    trained: `Chapter.long`, the others listed in `Chapter.long_missing`)."""
    spec = _spec(spec, params)
    check_choice("factor", factor, tuple(paper_variants()))
    if long_epochs is not None and not int(long_epochs) > spec.profile.epochs:
        raise ValueError(f"long_epochs: got {long_epochs!r}, allowed None or a horizon past "
                         f"epochs={spec.profile.epochs}")
    results = _runs(factor, spec, variants=variants, gradients=gradients)
    if variants is not None:
        series = {k: [v for v in vs if v in variants] for k, vs in (series or {}).items()}
    long, missing = (_longer(factor, spec, results, int(long_epochs))
                     if long_epochs is not None else ([], []))
    return Chapter(factor, results, spec.profile, spec.split, spec.estimator_ids,
                   dict(series or {}), long, missing)


def _longer(factor: str, spec: PageSpec, results: list[RunResult],
            epochs: int) -> tuple[list[RunResult], list[str]]:
    """The first seed of every configuration in `results` where it is stored to `epochs`
    (never trained), and the labels of the configurations where it is not."""
    seed = spec.profile.seeds[0]
    long, missing = [], []
    for r in results:
        if r.seed != seed:
            continue
        try:
            long += run_study(factor, [r.dataset], profile=spec.profile, epochs=epochs,
                              seeds=[seed], variants=[r.variant], estimators=spec.estimators,
                              allow_training=False, progress=False, device=spec.device)
        except MissingResultError:
            missing.append(f"{network_label(factor, r.variant)} ({dataset_label(r.dataset)})")
    return long, missing


def load_study(spec: PageSpec | None = None, *, factors=None,
               exclude: dict[str, list[str]] | None = None, **params) -> dict[str, Chapter]:
    """`load_chapter` for every factor (default: all five of the paper), same spec.

    `exclude` maps a factor to variants left out (e.g. runs still training); the page that
    uses it should say so (`ibutils.book.chapters.study_header` does).
    """
    spec = _spec(spec, params)
    exclude = exclude or {}
    for factor, names in exclude.items():
        check_choice("exclude", factor, tuple(paper_variants()))
        for name in names:
            check_choice(f"exclude[{factor!r}]", name, tuple(paper_variants()[factor]))
    chapters = {}
    for factor in factors or paper_variants():
        keep = [v for v in paper_variants()[factor] if v not in exclude.get(factor, ())]
        chapters[factor] = load_chapter(factor, spec,
                                        variants=keep if factor in exclude else None)
    return chapters


def load_reproduction(picks: dict[str, list[str]], spec: PageSpec | None = None, *,
                      shorter_profile: str | None = "book", shorter_epochs: int | None = 200,
                      **params) -> Reproduction:
    """Run or load some configurations (`picks`: factor -> variants) under the spec (default
    profile `paper`, MNIST), plus the same configurations and seeds already stored under
    `shorter_profile` and `shorter_epochs` (never trained; None: no comparison). Without
    training (the spec's ``allow_training=False``) picks not stored at the spec's horizon
    are listed in `Reproduction.missing`, and the chapter shows the others."""
    spec = _spec(spec, params, profile="paper", datasets=("mnist",))
    for factor, names in picks.items():
        check_choice("picks", factor, tuple(paper_variants()))
        for name in names:
            check_choice(f"picks[{factor!r}]", name, tuple(paper_variants()[factor]))
    if shorter_profile is not None:
        check_choice("shorter_profile", shorter_profile, tuple(PROFILES))
    results, shorter, missing = [], [], []
    for factor, names in picks.items():
        runs = []
        for name, dataset in ((n, d) for n in names for d in spec.datasets):
            try:
                runs += run_study(factor, [dataset], profile=spec.profile, variants=[name],
                                  estimators=spec.estimators,
                                  allow_training=spec.allow_training, device=spec.device)
            except MissingResultError:  # only without training: listed, not an error
                missing.append(f"{network_label(factor, name)} ({dataset_label(dataset)})")
        results += runs
        if shorter_profile is None:
            continue
        for r in runs:
            try:
                shorter += run_study(factor, [r.dataset], profile=shorter_profile,
                                     epochs=shorter_epochs, seeds=[r.seed], variants=[r.variant],
                                     estimators=spec.estimators, allow_training=False,
                                     progress=False)
            except MissingResultError:
                pass
    return Reproduction("reproduction", results, spec.profile, spec.split, spec.estimator_ids,
                        shorter=shorter, missing=missing)


def load_compression(spec: PageSpec | None = None, *, factors=("width", "depth"),
                     activations=ACTIVATIONS,
                     exclude: dict[str, dict[str, list[str]]] | None = None,
                     **params) -> CompressionChapter:
    """Run or load `factors` under each activation with the estimators of "Saturation and
    clustering" (`ibutils.config.COMPRESSION_ESTIMATORS`: the paper's 0.67 bins, 30
    bins over each layer's range, 30 equal-mass bins, the KDE upper bound and matrix-based
    Renyi), plus the geometry measures; the spec's own estimators are not used. `exclude`
    maps an activation to {factor: variants left out}. Dead runs are set apart
    (`ibutils.analysis.mechanisms.set_apart_untrained`) and named."""
    spec = _spec(spec, params)
    exclude = exclude or {}
    for act, by_factor in exclude.items():
        check_choice("exclude", act, ACTIVATIONS)
        for factor, names in by_factor.items():
            check_choice(f"exclude[{act!r}]", factor, tuple(paper_variants()))
            for name in names:
                check_choice(f"exclude[{act!r}][{factor!r}]", name,
                             tuple(paper_variants()[factor]))
    for factor in factors:
        check_choice("factors", factor, tuple(paper_variants()))
    for act in activations:
        check_choice("activations", act, ACTIVATIONS)
    results, left_out, untrained = {}, [], []
    for factor in factors:
        for act in activations:
            skip = exclude.get(act, {}).get(factor, [])
            keep = [v for v in paper_variants()[factor] if v not in skip]
            left_out += [f"{factor} {v} ({act})" for v in skip]
            runs = _runs(factor, spec, variants=keep, activation=act,
                         estimators=(*COMPRESSION_ESTIMATORS, geometry()))
            results[(factor, act)], dead = set_apart_untrained(runs, spec.split)
            untrained += [r for r in dead if r.config.key() not in {u.config.key()
                                                                   for u in untrained}]
    return CompressionChapter(results, spec.profile, spec.split,
                              tuple(e.id for e in COMPRESSION_ESTIMATORS), left_out, untrained)


def load_precision(configs, spec: PageSpec | None = None, **params) -> PrecisionCheck:
    """fp32 runs of every seed and a bf16 run of the first seed, per (factor, variant) in
    `configs`, with the spec's estimators, on the spec's first dataset (default MNIST; seeds
    default 0, 1, 2 whatever the profile: the comparison needs a spread)."""
    if spec is None and params.get("seeds") is None:
        params["seeds"] = [0, 1, 2]
    spec = _spec(spec, params, datasets=("mnist",))
    for factor, variant in configs:
        check_choice("factor", factor, tuple(paper_variants()))
        check_choice("variant", variant, tuple(paper_variants()[factor]))
    seeds = list(spec.profile.seeds)
    if len(seeds) < 3:
        raise ValueError(f"seeds: got {seeds}, allowed at least 3 seeds (the spread bf16 is "
                         f"compared with)")
    dataset = spec.datasets[0]
    fp32, bf16 = {}, {}
    for factor, variant in configs:
        kw = {"profile": spec.profile, "variants": [variant], "estimators": spec.estimators,
              "allow_training": spec.allow_training, "device": spec.device}
        label = network_label(factor, variant)
        fp32[label] = run_study(factor, [dataset], seeds=seeds, **kw)
        bf16[label] = run_study(factor, [dataset], seeds=seeds[:1], precision="bf16", **kw)[0]
    return PrecisionCheck(fp32, bf16, spec.profile, spec.split, spec.estimator_ids)


def load_noisy(spec: PageSpec | None = None, *, noise_stds=NOISE_STDS, nets=None,
               **params) -> NoisyChapter:
    """The stored noisy runs of `nets` (factor -> variants; default `NOISY_NETS`) at each noise
    sd in `noise_stds`, on MNIST, with noisy-network MI, the paper's bins and Renyi, and their
    deterministic twins (the same seeds, the spec's estimators). Nothing is trained: these
    runs cost hours each, so missing ones are listed (`NoisyChapter.missing`) with the command
    that computes them."""
    spec = _spec(spec, params)
    nets = NOISY_NETS if nets is None else nets
    for factor, variants in nets.items():
        check_choice("nets", factor, tuple(paper_variants()))
        for v in variants:
            check_choice(f"nets[{factor!r}]", v, tuple(paper_variants()[factor]))
    if not noise_stds or any(not s > 0 for s in noise_stds):
        raise ValueError(f"noise_stds: got {list(noise_stds)!r}, allowed positive numbers")
    ests = (noisy(), binning(bin_width=0.67), renyi(n_samples=500))
    kwargs = {"profile": spec.profile, "allow_training": False, "progress": False,
              "device": spec.device}
    results, baseline, missing = {}, [], {}
    for s in noise_stds:
        results[float(s)] = []
        for factor, variants in nets.items():
            for v in variants:
                lacking = []
                for seed in spec.profile.seeds:
                    try:
                        results[float(s)] += run_study(factor, ["mnist"], seeds=[seed],
                                                       variants=[v], estimators=ests,
                                                       noise_std=float(s), **kwargs)
                    except MissingResultError:
                        lacking.append(seed)
                        continue
                    try:
                        twin = run_study(factor, ["mnist"], seeds=[seed], variants=[v],
                                         estimators=spec.estimators, **kwargs)
                    except MissingResultError:
                        continue
                    known = {r.config.key() for r in baseline}
                    baseline += [r for r in twin if r.config.key() not in known]
                if lacking:
                    seeds = ("" if lacking == list(spec.profile.seeds) else
                             f" (seed{'s' if len(lacking) > 1 else ''} "
                             f"{', '.join(map(str, lacking))})")
                    missing.setdefault(float(s), []).append(network_label(factor, v) + seeds)
    return NoisyChapter(results, baseline, spec.profile, spec.split,
                        tuple(e.id for e in ests),
                        [f"noise {s:g}: {'; '.join(names)}" for s, names in missing.items()],
                        configurations=len({get_variant(f, v) for f, vs in nets.items()
                                            for v in vs}))
