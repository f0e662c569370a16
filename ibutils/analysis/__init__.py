"""Analysis of stored runs (`ibutils.results.RunResult`): numbers and typed rows only, no
Markdown and no figures (the book layer, `ibutils.book`, renders them).

- `runs`: grouping runs by configuration, seeds, datasets; distinct runs across factors;
- `compression`: the per-layer compression test, the dip, saturation at the ceiling;
- `fitting`: how fast and how high a configuration fits, trends along variants, overfitting;
- `statistics`: correlations with intervals (Fisher; cluster bootstrap);
- `mechanisms`: is measured compression saturation, clustering, or tied to generalisation?
- `reproduction`: our runs beside the paper's values, across profiles and precisions;
- `noise_scale`: how a noisy layer's I(X;T) depends on the noise, for fixed representations.
"""
