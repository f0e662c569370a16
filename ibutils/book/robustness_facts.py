"""The numbers the verdict quotes about the other settings of the Renyi estimator, by name:
does the compression test's answer survive each setting
(`ibutils.analysis.compression_test.robustness`), and do a setting's falls go with class
clustering (`ibutils.analysis.mechanisms.cell_clustering_rows`)?"""
from __future__ import annotations

from collections import defaultdict

import numpy as np

from ..analysis.statistics import cluster_bootstrap_ci
from ..labels import dataset_label, estimator_label, sentence_start
from .facts import and_list, float_span, int_span

# the settings of `ibutils.config.RENYI_ROBUSTNESS` in words, by short name
SETTING_WORDS = {"fixed": "each layer's kernel width fixed at its epoch-0 value",
                 "half": "the rule's width halved", "double": "the rule's width doubled",
                 "alpha2": "order alpha = 2", "seeded": "inputs drawn per seed"}


def setting_words(estimator_id: str, names: dict[str, str]) -> str:
    """A Rényi setting in words for a sentence, by its short name in `names` (estimator id ->
    name; `SETTING_WORDS`), else the estimator's label: "order alpha = 2"."""
    return SETTING_WORDS.get(names.get(estimator_id, ""), estimator_label(estimator_id))


def _span(values) -> str:
    """"52", "40-52" (lowest to highest), or "0" for none."""
    values = list(values)
    return int_span(values) if values else "0"


def _coverage(rows: list[dict]) -> str:
    """How much of the grid the robustness rows cover, in words for a sentence."""
    if not rows:
        return "on no configuration yet"
    of = max(r["of_configurations"] for r in rows)
    least = min(r["configurations"] for r in rows)
    if least == of:
        return f"on all {of} configurations"
    return f"so far on {_span(r['configurations'] for r in rows)} of the {of} configurations"


def clustering_facts(rows: list[dict], name: str) -> dict[str, str]:
    """Does a setting's fall after fitting go with class clustering? From
    `ibutils.analysis.mechanisms.cell_clustering_rows` of one estimator setting: the
    correlation of each cell's mean drop with the tightening of its class clusters over the
    fall (minus the change of the within/between distance ratio), with a 95% interval that
    resamples configurations (`cluster_bootstrap_ci`). Keys ``rob_{name}_clustering`` (a
    clause to follow "Under <setting>, "; an interval above 0 reads "tighter", below 0
    "looser", else "neither"), ``_clustering_r``, ``_clustering_cells`` and
    ``_clustering_side`` (that word)."""
    key = f"rob_{name}_clustering"
    if not rows:
        return {key: "no configuration carries both this setting and the class-distance "
                     "measures yet.", f"{key}_r": "n/a", f"{key}_cells": "0"}
    ci = cluster_bootstrap_ci([r["drop"] for r in rows],
                              [-r["d_within_between"] for r in rows],
                              [r["label"] for r in rows])
    r_text = f"r = {ci['r']:.2f}" + (f" [{ci['lo']:.2f}, {ci['hi']:.2f}]"
                                     if np.isfinite(ci["lo"]) else " (too few configurations "
                                                                   "for an interval)")
    side = ("tighter" if np.isfinite(ci["lo"]) and ci["lo"] > 0 else
            "looser" if np.isfinite(ci["hi"]) and ci["hi"] < 0 else "neither")
    how = {"tighter": "goes with tighter class clusters",
           "looser": "goes with looser class clusters, not tighter ones",
           "neither": "is not tied to class clustering either way"}[side]
    configs = len({r["label"] for r in rows})
    return {key: (f"the fall after fitting {how}: {r_text} over the {len(rows)} hidden cells "
                  f"of the {configs} configurations that also carry the class-distance "
                  f"measures (between a cell's mean fall and the tightening of its class "
                  f"clusters over it, that is minus the change of the within/between distance "
                  f"ratio; the interval resamples configurations)."),
            f"{key}_r": f"{ci['r']:.2f}", f"{key}_cells": str(len(rows)), f"{key}_side": side}


def orders_contrast(setting: dict[str, str], default: dict[str, str], name: str) -> str:
    """One sentence on whether a Renyi setting and the default read class clustering the same
    way, from their `clustering_facts` (``..._side``); "" when either is undecided."""
    a, b = setting.get(f"rob_{name}_clustering_side"), default.get("rob_default_clustering_side")
    if a == b or "neither" in (a, b) or None in (a, b):
        return ""
    words = SETTING_WORDS.get(name, name)
    return (f"{sentence_start(words)} and the default setting read the same layers in "
            f"opposite ways: the falls under {words} come with {a} class clusters, those under "
            f"the default with {b} "
            f"ones{', the clustering Goldfeld et al. call compression' if b == 'tighter' else ''}.")


def _networks(row: dict) -> str:
    """How many networks (configuration and dataset) hold a row's passing cells, in words."""
    n = len({(c["dataset"], c["variant"]) for c in row.get("passing_cells", [])})
    return f"{n} {'network' if n == 1 else 'networks'}"


def _claim_sentence(rows: list[dict], coverage: str, split: str,
                    names: dict[str, str]) -> str:
    """Whether no cell passing survives every setting in `rows` (`robustness` rows of one
    set), as a sentence for the verdict; settings in words by their short `names`
    (`SETTING_WORDS`, else the estimator's label)."""
    where = f"on the {'test' if split == 'test' else 'training'} set"
    if not rows:
        return "No configuration carries the other Rényi settings yet."
    passing = [r for r in rows if r["passed"]]
    if not passing:
        return (f"The claim also holds under {len(rows)} other settings of the Rényi estimator, "
                f"measured {coverage}: no cell passes under any of them {where}.")
    parts = []
    for r in passing:
        cells = r.get("passing_cells", [])
        counts: dict = defaultdict(int)
        for c in cells:
            counts[c["dataset"]] += 1
        sets = ", ".join(f"{n} on {dataset_label(d)}" for d, n in
                         sorted(counts.items(), key=lambda kv: -kv[1]))
        shares = [c["share"] for c in cells if np.isfinite(c["share"])]
        span = float_span([100 * s for s in shares], ".0f") if shares else ""
        size = (f"; {'falls' if len(shares) > 1 else 'a fall'} of {span}% of the value at the "
                f"peak" if shares else "")
        ref = (f", against {r['ref_passed']} under the default setting on the same "
               f"configurations and seeds" if "ref_passed" in r else "")
        parts.append(f"{r['passed']} with {setting_words(r['estimator'], names)} "
                     f"({sets}{size}{ref})")
    text = (f"The claim does not hold under every setting of the Rényi estimator: measured "
            f"{coverage}, hidden cells pass the same test {where}, " + "; ".join(parts) + ".")
    none = [setting_words(r["estimator"], names) for r in rows if not r["passed"]]
    if none:
        text += f" With {and_list(none)}, no cell passes."
    return text


def robustness_facts(rows: list[dict], names: dict[str, str], *,
                     split: str = "test") -> dict[str, str]:
    """The numbers the verdict quotes from `ibutils.analysis.compression_test.robustness`
    (rows with a reference setting), per setting short name (`names`: estimator id -> name,
    e.g. ``ibutils.config.RENYI_ROBUSTNESS_NAMES``) on `split`: ``rob_{name}_passed``,
    ``_largest``, ``_floor``, ``_configs`` ("k of m"), ``_flagged``, ``_early``,
    ``_ref_flagged`` ("n/a" for a setting not yet measured); over
    all settings ``rob_settings``, ``rob_passed`` and ``rob_passing`` (on `split`: the count,
    and per setting with passing cells "23 cells of 11 networks pass under order alpha = 2";
    `ibutils.book.tables.passing_table` lists them; ``rob_passing_settings`` names those
    settings, "order alpha = 2"), ``rob_largest``, ``rob_configs``,
    ``rob_of_configs``, ``rob_coverage`` ("on all 32 configurations" once every setting covers
    the grid, else "so far on 4 of the 32 configurations"), ``rob_cells`` (the distinct
    hidden cells those hold, "52", or "40-52" where settings differ); ``rob_claim``, a sentence on
    whether "no cell passes" survives every setting (per setting with passing cells: how
    many, on which datasets, their falls as a share of the value at the peak, and the default
    setting's count on the same configurations); and
    ``rob_width_rule``, a sentence on whether the looser test's falls survive fixing the
    kernel width at its epoch-0 value (rule fixed in advance: at most half of the reference's
    flags remaining is "depend on the width rule", at least as many is "survive it")."""
    configs = [r["configurations"] for r in rows]
    mine = [r for r in rows if r["split"] == split]
    settings = [setting_words(r["estimator"], names) for r in mine if r["passed"]]
    passing = [f"{r['passed']} {'cell' if r['passed'] == 1 else 'cells'} of "
               f"{_networks(r)} {'passes' if r['passed'] == 1 else 'pass'} under "
               f"{setting_words(r['estimator'], names)}"
               for r in mine if r["passed"]]
    out = {"rob_settings": f"{len({r['estimator'] for r in rows})}",
           "rob_passed": f"{sum(r['passed'] for r in mine)}",
           "rob_passing": ("no cell passes under any of them" if not passing else
                           and_list(passing)),
           "rob_passing_settings": and_list(settings) if settings else "none of them",
           "rob_largest": f"{max(r['largest'] for r in rows):.3f}" if rows else "n/a",
           "rob_configs": _span(configs),
           "rob_of_configs": f"{max((r['of_configurations'] for r in rows), default=0)}",
           "rob_coverage": _coverage(rows), "rob_cells": _span(r["cells"] for r in rows)}
    out["rob_claim"] = _claim_sentence(mine, out["rob_coverage"], split, names)
    out.update({f"rob_{name}_{f}": "n/a" for name in names.values()  # "n/a" until measured
                for f in ("passed", "largest", "floor", "configs", "flagged", "early",
                          "ref_flagged")})
    for r in rows:
        if r["split"] != split or r["estimator"] not in names:
            continue
        key = f"rob_{names[r['estimator']]}"
        out.update({f"{key}_passed": f"{r['passed']}", f"{key}_largest": f"{r['largest']:.3f}",
                    f"{key}_floor": f"{r['floor']:.4f}",
                    f"{key}_configs": f"{r['configurations']} of {r['of_configurations']}",
                    f"{key}_flagged": f"{r['flagged']}", f"{key}_early": f"{r['flagged_early']}",
                    f"{key}_ref_flagged": f"{r.get('ref_flagged', 'n/a')}"})
    fixed = next((r for r in rows if r["split"] == split
                  and names.get(r["estimator"]) == "fixed"), None)
    if fixed is None or "ref_flagged" not in fixed:
        out["rob_width_rule"] = ("No configuration carries the fixed-width setting yet, so "
                                 "whether they depend on the width rule is not known.")
    elif fixed["ref_flagged"] == 0:
        out["rob_width_rule"] = ("The looser test flags no cell on these configurations under "
                                 "either rule, so there is nothing for the width rule to change.")
    else:
        share = fixed["flagged"] / fixed["ref_flagged"]
        verdict = ("depend on the width rule" if share <= 0.5 else
                   "survive fixing the width" if share >= 1 else "partly depend on the width rule")
        out["rob_width_rule"] = (
            f"The falls the looser test flags {verdict}: with each layer's kernel width held at "
            f"its epoch-0 value it flags {fixed['flagged']} hidden "
            f"{'cell' if fixed['flagged'] == 1 else 'cells'}, against "
            f"{fixed['ref_flagged']} under the median rule on the same "
            f"{fixed['configurations']} configurations.")
    return out

