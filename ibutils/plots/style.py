"""One colour and marker scheme for the whole book, and the helpers every figure shares:
layers take `layer_color` (input side dark, output side light), epochs a log-scaled
`EPOCH_CMAP`, variants and datasets `variant_color`."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import colors

EPOCH_CMAP = "viridis"
LAYER_CMAP = "plasma"
VARIANT_COLORS = plt.get_cmap("tab10").colors
MARKERS = "os^Dv<>pPXh"  # hidden layers, from the input
OUTPUT_MARKER = "*"  # the softmax output, in every net
QUANTITY_LABELS = {"i_xt": "I(X;T)", "i_ty": "I(T;Y)", "h_t": "H(T)",
                   "i_xt_upper": "I(X;T') upper", "i_xt_lower": "I(X;T') lower",
                   "i_ty_upper": "I(T';Y) upper", "i_ty_lower": "I(T';Y) lower"}


def as_list(results):
    return list(results) if isinstance(results, (list, tuple)) else [results]


def layer_color(index: int, n_layers: int):
    """Colour of the `index`-th measured layer of a net with `n_layers` of them."""
    return plt.get_cmap(LAYER_CMAP)(0.85 * index / max(n_layers - 1, 1))


def layer_marker(name: str, index: int) -> str:
    """Marker of a layer: by position for hidden layers, a star for the softmax output."""
    return OUTPUT_MARKER if name == "softmax" else MARKERS[index % len(MARKERS)]


def variant_color(index: int):
    return VARIANT_COLORS[index % len(VARIANT_COLORS)]


def epoch_norm(max_epoch: int) -> colors.Normalize:
    """Log-like colour scale over epochs 0..max_epoch (epoch 0 shown as the lowest colour)."""
    return colors.SymLogNorm(linthresh=1, vmin=0, vmax=max(max_epoch, 1), base=10)


def seed_stack(results, fn) -> tuple[np.ndarray, np.ndarray]:
    """Stack fn(result) over seeds on the epochs they share; returns (epochs, (S, E) values)."""
    epochs = sorted(set.intersection(*(set(r.epochs().tolist()) for r in results)))
    rows = []
    for r in results:
        keep = np.isin(r.epochs(), epochs)
        rows.append(np.asarray(fn(r))[keep])
    return np.array(epochs), np.array(rows)


TEXT_WIDTH = 7.0  # inches: the book's text column; a wider figure would be shown shrunk


def grid(nrows: int, ncols: int, *, width: float = 5.0, height: float = 3.4, **kw):
    """A grid of panels `width` x `height` inches each, scaled down (shape kept) so the figure
    is at most `TEXT_WIDTH` wide: shown in the book at about its own size, its text stays
    legible."""
    scale = min(1.0, TEXT_WIDTH / (width * ncols))
    return plt.subplots(nrows, ncols, figsize=(width * ncols * scale, height * nrows * scale),
                        squeeze=False,
                        constrained_layout=True, **kw)
