"""Words for readers: one mapping from the package's ids (datasets, estimators, networks,
splits, layers) to the labels that tables, legends, titles, sliders and captions show."""
from __future__ import annotations

import re

DATASET_LABELS = {"mnist": "MNIST", "fashion_mnist": "Fashion-MNIST"}
SPLIT_LABELS = {"train": "training set", "test": "test set"}
ACTIVATION_LABELS = {"tanh": "tanh", "relu": "ReLU"}
FACTOR_LABELS = {"width": "conv width", "kernel": "kernel size", "depth": "depth",
                 "pooling": "pooling", "fc": "multiple fully connected layers"}


def sentence_start(text: str) -> str:
    """A label at the start of a sentence: its first letter upper-cased, the rest kept
    ("order alpha = 2" -> "Order alpha = 2"; unlike `str.capitalize`, "MNIST" stays)."""
    return text[:1].upper() + text[1:]


def dataset_label(name: str) -> str:
    """"mnist" -> "MNIST", "fashion_mnist" -> "Fashion-MNIST"."""
    return DATASET_LABELS.get(name, name)


def estimator_label(estimator_id: str) -> str:
    """An estimator id as words: "binning_bin_width0.67" -> "paper's bins (width 0.67)",
    "binning_n_bins30" -> "30 bins over the layer's range", "renyi_alpha1.01_n_samples500" ->
    "Rényi (alpha 1.01)", "kde_noise_var0.1_n_samples1000" -> "KDE upper bound (noise
    variance 0.1)", "binning_equal_mass30" -> "30 equal-mass bins"."""
    params = dict(re.findall(r"_([a-z_]+?)([0-9][0-9.e+-]*)(?=_[a-z]|$)", estimator_id))
    kind = estimator_id.split("_", 1)[0]
    if kind == "binning" and "bin_width" in params:
        width = params["bin_width"]
        return "paper's bins (width 0.67)" if width == "0.67" else f"bins of width {width}"
    if kind == "binning" and "n_bins" in params:
        return f"{params['n_bins']} bins over the layer's range"
    if kind == "binning" and "equal_mass" in params:
        return f"{params['equal_mass']} equal-mass bins"
    if kind == "kde":
        return f"KDE upper bound (noise variance {params.get('noise_var', '?')})"
    if kind == "renyi":
        text = f"Rényi (alpha {params.get('alpha', '?')}"
        if "sigma" in params:
            text += f", kernel width {params['sigma']}"
        if "width_scale" in params:
            text += f", rule's width x {params['width_scale']}"
        if "fixed_width" in params:
            text += ", width fixed at epoch 0"
        if "seeded_by_run" in params:
            text += ", inputs drawn per seed"
        return text + ")"
    if kind == "noisy":
        return "noisy-network MI (Goldfeld et al.)"
    if kind == "geometry":
        return "geometry"
    if kind == "spacing":
        return "distances between representations"
    return estimator_id


def network_label(factor: str, variant: str) -> str:
    """A paper network in words: "w12" -> "6 layers x 12 filters", "5conv-k7" -> "5 layers,
    7x7 kernels", "d9" -> "9 layers x 6 filters", "pool" -> "3 layers x 12 filters, pooled",
    "fc" -> "5 conv layers + dense 500-1024-500"."""
    m = re.fullmatch(r"w(\d+)", variant)
    if m:
        return f"6 layers x {m.group(1)} filter{'s' if m.group(1) != '1' else ''}"
    m = re.fullmatch(r"(\d)conv-k(\d+)", variant)
    if m:
        return f"{m.group(1)} layers, {m.group(2)}x{m.group(2)} kernels"
    m = re.fullmatch(r"d(\d+)", variant)
    if m:
        return f"{m.group(1)} layer{'s' if m.group(1) != '1' else ''} x 6 filters"
    return {"pool": "3 layers x 12 filters, max-pool", "no-pool": "3 layers x 12 filters",
            "fc": "5 conv layers + dense 500-1024-500",
            "no-fc": "5 conv layers, no dense layers"}.get(variant, variant)


def noise_label(noise_std: float) -> str:
    """A noisy network's noise in words: 0.1 -> "noise 0.1"; "" for a deterministic one."""
    return f"noise {noise_std:g}" if noise_std else ""


def config_label(dataset: str, variant: str, activation: str | None = None,
                 noise_std: float = 0.0) -> str:
    """A configuration in words: "MNIST, 6 layers x 1 filter" (", ReLU" where given and not
    tanh; ", noise 0.1" for a noisy network)."""
    text = f"{dataset_label(dataset)}, {network_label('', variant)}"
    text += (f", {ACTIVATION_LABELS.get(activation, activation)}"
             if activation and activation != "tanh" else "")
    return text + (f", {noise_label(noise_std)}" if noise_std else "")


def layer_span(layers) -> str:
    """Layers in words, consecutive ones of a kind as a range: ["conv2", "conv3", "conv4",
    "conv6", "dense1"] -> "conv2-conv4, conv6, dense1" (kept in the order given)."""
    out: list[list] = []  # [prefix, first number, last number] or [name, None, None]
    for name in layers:
        m = re.fullmatch(r"([a-z]+)(\d+)", name)
        if m and out and out[-1][0] == m[1] and out[-1][2] == int(m[2]) - 1:
            out[-1][2] = int(m[2])
        else:
            out.append([m[1], int(m[2]), int(m[2])] if m else [name, None, None])
    return ", ".join(p if a is None else f"{p}{a}" if a == b else
                     f"{p}{a}, {p}{b}" if b == a + 1 else f"{p}{a}-{p}{b}" for p, a, b in out)


def layer_where(layer: str, dataset: str, variant: str, activation: str | None = None) -> str:
    """Where a number comes from, in words: "conv3 of 6 layers x 1 filter on MNIST"."""
    act = (f" ({ACTIVATION_LABELS.get(activation, activation)})"
           if activation and activation != "tanh" else "")
    return f"{layer} of {network_label('', variant)}{act} on {dataset_label(dataset)}"
