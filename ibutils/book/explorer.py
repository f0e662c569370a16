"""An ipywidgets explorer of stored runs, for live use in Jupyter.

    from ibutils.book.explorer import explorer
    explorer(results)   # results: the list returned by ibutils.runner.run_study

Choose dataset, variant, estimator, split, layers and an epoch range; the information plane and
the MI-against-epoch curves are redrawn. In the static book widgets cannot run; the chapters
show `ibutils.plots.info_plane_animation` there instead.
"""
from __future__ import annotations

import matplotlib.pyplot as plt

from .. import plots
from ..config import ixt_key
from ..labels import dataset_label, estimator_label, network_label


def _estimators(results) -> list[str]:
    first = results[0].snapshots()[0]["test"]["mi"]
    return sorted(first)


def explorer(results):
    """Build and return the widget (display it, or make it a cell's last expression)."""
    import ipywidgets as w

    by_key = {(r.dataset, r.variant, r.seed): r for r in results}
    datasets = sorted({r.dataset for r in results})
    variants = list(dict.fromkeys(r.variant for r in results))
    seeds = sorted({r.seed for r in results})
    layers = results[0].layers
    max_epoch = max(int(r.epochs().max()) for r in results)
    controls = {
        # (label, value) options: readers see words, the code gets the ids
        "dataset": w.Dropdown(options=[(dataset_label(d), d) for d in datasets],
                              description="dataset"),
        "variant": w.Dropdown(options=[(network_label("", v), v) for v in variants],
                              description="network"),
        "seed": w.Dropdown(options=seeds, description="seed"),
        "estimator": w.Dropdown(options=[(estimator_label(e), e) for e in _estimators(results)],
                                description="estimator"),
        "split": w.ToggleButtons(options=[("test set", "test"), ("training set", "train")],
                                 description="set"),
        "layers": w.SelectMultiple(options=layers, value=tuple(layers), description="layers",
                                   rows=min(len(layers), 8)),
        "epochs": w.IntRangeSlider(value=(0, max_epoch), min=0, max=max_epoch,
                                   description="epochs", continuous_update=False),
    }
    out = w.Output()

    def sync_layers(*_):
        """Variants differ in depth: offer the chosen run's layers, all selected."""
        run = by_key.get((controls["dataset"].value, controls["variant"].value,
                          controls["seed"].value))
        if run is not None and list(controls["layers"].options) != run.layers:
            controls["layers"].options = run.layers
            controls["layers"].value = tuple(run.layers)
            controls["layers"].rows = min(len(run.layers), 8)

    def redraw(*_):
        c = {k: v.value for k, v in controls.items()}
        run = by_key.get((c["dataset"], c["variant"], c["seed"]))
        with out:
            out.clear_output(wait=True)
            if run is None:
                print("no stored run for this choice")
                return
            view = run.window(*c["epochs"])
            fig, axes = plt.subplots(1, 2, figsize=(11, 4), constrained_layout=True)
            plots.info_plane(view, split=c["split"], estimator=c["estimator"],
                             layers=list(c["layers"]) or None, ax=axes[0])
            plots.mi_curves(view, ixt_key(c["estimator"]), split=c["split"],
                            estimator=c["estimator"], layers=list(c["layers"]) or None,
                            ax=axes[1])
            axes[1].legend(fontsize="x-small", ncol=2, frameon=False)
            plt.show()

    for name in ("dataset", "variant", "seed"):
        controls[name].observe(sync_layers, names="value")
    for c in controls.values():
        c.observe(redraw, names="value")
    redraw()
    return w.VBox([w.HBox([controls["dataset"], controls["variant"], controls["seed"]]),
                   w.HBox([controls["estimator"], controls["split"]]),
                   w.HBox([controls["layers"], controls["epochs"]]), out])
