"""One plotting function per kind of figure. Each takes rows or runs (and ``ax=None`` where it
draws one panel) and returns the axes; none computes a test, shows or saves a figure.

- `style`: the book's one colour and marker scheme, shared helpers;
- `planes`: information planes and the epoch slider;
- `curves`: quantities against epoch and their grids;
- `summary`: figures over many runs (sweeps, compression map, gap scatter, fidelity).
"""
from .curves import (
                     geometry_grid,
                     gradient_curves,
                     gradient_grid,
                     horizon_grid,
                     layer_curves,
                     layer_mi_grid,
                     mi_curves,
                     output_mi_grid,
                     precision_grid,
                     spacing_grid,
                     training_curves,
                     training_grid,
                     weight_norm_curves,
)
from .planes import (
                     info_plane,
                     info_plane_animation,
                     info_planes,
                     layer_chains,
                     seed_plane,
                     seed_planes,
)
from .style import (
                     EPOCH_CMAP,
                     LAYER_CMAP,
                     MARKERS,
                     OUTPUT_MARKER,
                     QUANTITY_LABELS,
                     VARIANT_COLORS,
                     epoch_norm,
                     layer_color,
                     layer_marker,
                     variant_color,
)
from .summary import (
                     compression_map,
                     drop_grid,
                     drop_heatmap,
                     fidelity_curves,
                     fidelity_scatter,
                     gap_scatter,
                     noise_sweep_lines,
                     sweep_lines,
)

__all__ = [
    "layer_chains",
    "seed_plane", "seed_planes",
    "drop_grid", "drop_heatmap", "noise_sweep_lines",
    "EPOCH_CMAP", "LAYER_CMAP", "MARKERS", "OUTPUT_MARKER", "QUANTITY_LABELS", "VARIANT_COLORS",
    "compression_map", "epoch_norm", "fidelity_curves", "fidelity_scatter", "gap_scatter",
    "geometry_grid", "gradient_curves", "gradient_grid", "horizon_grid", "info_plane", "info_plane_animation",
    "info_planes", "layer_color", "layer_curves", "layer_marker", "layer_mi_grid", "mi_curves",
    "output_mi_grid", "precision_grid", "spacing_grid", "sweep_lines", "training_curves", "training_grid",
    "variant_color", "weight_norm_curves",
]
