# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Noisy networks: where compression is well-posed
#
# For a deterministic network the true I(X;T) of a hidden layer is constant (discrete
# inputs) or infinite (continuous ones) {cite}`goldfeld2019estimating`, so a "compression
# phase" of I(X;T) is a statement about an estimator. Goldfeld et al. make the question
# well-posed by adding Gaussian noise of standard deviation β to every hidden layer, in
# training and in measurement: T = S(X) + Z, and with X uniform over N inputs I(X;T) is a
# finite property of the model between 0 and log2 N. In that setting compression has a
# mechanism: the Gaussians around the representations S(x) of inputs of one class merge,
# which happens only when their distances shrink to the scale of β. This chapter asks their
# question of the paper's CNNs: does I(X;T) fall after fitting, in which layers and nets?

# %% tags=["parameters"]
profile = "book"  # "smoke" (CI, seconds), "book" (what the book shows)
epochs = 200  # training horizon of the stored noisy runs
seeds = [0, 1, 2]  # seeds of every noisy net (stored ones only; nothing is trained here)
noise_stds = [0.5, 0.1]  # Gaussian noise sd on every hidden layer (tanh outputs lie in [-1, 1])
split = "test"  # set the estimates are taken on
sweep_variant = "w1"  # width net whose layers the noise sweep and the draws check use
sweep_inputs = 1000  # MNIST test images of the sweep (a multiple of 10)
wider_nets = [["width", "w3"], ["width", "w12"], ["fc", "fc"]]  # nets the sweep compares with it
device = "cpu"  # the stored runs' device ("cuda" or "mps" runs have keys of their own)

# %%
import matplotlib.pyplot as plt

from ibutils import plots
from ibutils.book import Dropdown, glue, key_findings, load_noisy, page_spec, prose, table
from ibutils.book.noisy_page import (draws_table, initial_noise_sweep, sweep_facts,
                                     upstream_draws_check, wider_sweep_facts)

spec = page_spec(device=device, profile=profile, datasets=["mnist"], epochs=epochs, seeds=seeds,
                 split=split, allow_training=False)
ch = load_noisy(spec, noise_stds=noise_stds)
glue(ch.facts())
glue(ch.spacing_facts())
sweep = initial_noise_sweep("width", sweep_variant, [0.03, 0.1, 0.3, 0.5, 1, 2, 5, 10, 30],
                            n_inputs=sweep_inputs)
draws = upstream_draws_check("width", sweep_variant, max(noise_stds), n_inputs=sweep_inputs)
glue(sweep_facts(sweep, draws))
glue(wider_sweep_facts([initial_noise_sweep(factor, variant, [0.5], n_inputs=sweep_inputs)
                        for factor, variant in wider_nets]))

# %%
key_findings(r"""
No hidden layer of the {glue:text}`noisy_nets` noisy nets stored (the header below lists
them) compresses: under
the {term}`compression test` {glue:text}`noisy_test_passed` of {glue:text}`noisy_test_cells`
cells pass, and the largest fall of any layer's seed-mean noisy I(X;T) from its peak is
{glue:text}`noisy_largest_fall` bits. The first hidden layer, where the estimate is exact,
sits at or rises to its {term}`ceiling` log2 N = {glue:text}`noisy_ceiling` bits while the net
fits. Deeper layers also sit at the ceiling, but there the estimate is only an upper bound:
the noise of the earlier layers spreads the representations of one input as far apart as
those of different inputs, and more draws do not tighten it. Held noise-free upstream, the
deep layers of the 1-filter net do lose information to noise of 0.5 (conv6:
{glue:text}`sweep_last_at_05` bits at initialisation), so their true I(X;T) can be lower;
whether it falls during training is not answered by this method. Classes do cluster
during training, but every input's nearest neighbour stays at least
{glue:text}`spacing_nearest_min` noise standard deviations away, too far for the noise to
merge them.
""")

# %%
ch.header()

# %% [markdown]
# ## What the noisy estimator measures
#
# The estimator (`ibutils.mi.noisy_mi`, Goldfeld et al.'s sample propagation) draws an
# input and a noise vector, u = S(x_i) + z, and averages log p(u | x_i) − log p(u), where
# p(u) is the mixture of the N Gaussians; the noise's own entropy cancels draw by draw
# (methods: estimators). It is checked against cases with known answers (far-apart rows give
# log2 N, identical rows 0, two points two noise standard deviations apart the value from
# numerical integration) and its Monte-Carlo standard errors cover the truth at their rate
# (`tests/test_noisy.py`). The runs measure each snapshot on 1,000 test images with 1,000
# draws, so the ceiling is log2 1,000 = 9.97 bits, beside the paper's bins and Rényi on the
# same snapshots (taken on the noise-free S(x)).
#
# For the first hidden layer T given X is one Gaussian and the estimate is exact. A deeper
# layer also carries the noise of the layers before it, so T given X is itself a mixture;
# the runs hold that earlier noise at one fixed draw, which measures
# I(X;T | earlier noise), an upper bound on I(X;T) (the earlier noise is independent of X).

# %% [markdown]
# ## I(X;T) over training

# %%
(ch.curve_tabs("fig-noisy-curves",
               "Every hidden layer's I(X;T) against epoch in the noisy nets on MNIST: "
               "noisy-network MI (left; dotted: the ceiling log2 1,000) and Rényi on the "
               "noise-free representations (right), mean of the seeds with their range as a "
               "band, one row per network.")
 or prose("No noisy run is stored for these parameters yet; the header above lists the "
          "missing ones."))

# %%
table(ch.table(), "Per noisy net: final test accuracy (without noise in brackets), the "
      "share of hidden-layer points (every layer, seed and snapshot) whose noisy I(X;T) is "
      "within 0.01 bit of the ceiling, the lowest noisy I(X;T) of any of them, the last "
      "hidden layer's noisy I(T;Y) at epoch 200, and the largest fall of a layer's seed-mean "
      "noisy I(X;T) from its peak.", "tab-noisy-summary")

# %%
Dropdown("The compression test on the noisy nets, per estimator and set", ch.test_table())

# %% [markdown]
# ## Why the estimate sits at the ceiling: the scale of the noise
#
# {numref}`fig-noisy-sweep` takes the 1-filter net at its random initialisation, holds every
# earlier layer noise-free, and sweeps the noise of one layer at a time from 0.03 to 30.
# I(X;T) leaves log2 N only once the noise is comparable with the distance from each
# representation to its nearest neighbour (triangles on the top edge): compression in the
# noisy sense needs the representations of different inputs to come within a few noise
# standard deviations of each other.

# %% mystnb={"figure": {"caption": "Noisy I(X;T) of each hidden layer of the 1-filter net at initialisation (no noise in earlier layers, 1,000 MNIST test images) against the noise's standard deviation; bars: two Monte-Carlo standard errors; triangles: each layer's median nearest-neighbour distance; grey: the noise levels of the noisy runs; dotted: log2 1,000.", "name": "fig-noisy-sweep"}}
fig, ax = plt.subplots(figsize=(7, 3.6), constrained_layout=True)
plots.noise_sweep_lines(sweep, marks=noise_stds, ax=ax)
plt.show()

# %% [markdown]
# In the noisy nets themselves the earlier layers' noise does not make a deeper layer's
# representations closer; it spreads them. Sampling T given X with more draws of the earlier
# noise should tighten the upper bound, but it does not move here:
# {numref}`tab-noisy-draws` gives the estimate of each layer of the noisy 1-filter net at
# initialisation with 1 to {glue:text}`draws_max` draws per input. Every draw of one input
# lands as far from the others as different inputs do, so the estimate stays at log2 N
# however many draws there are, while the true I(X;T) of a layer swamped by accumulated
# noise can be far lower. In layers this wide, N = 1,000 inputs and feasible numbers of draws
# cannot resolve it.

# %%
table(draws_table(draws),
      "The noisy 1-filter net (noise 0.5) at initialisation: noisy I(X;T) of each hidden "
      "layer with K draws of the earlier layers' noise per input as the K centres of T given "
      "X (1,000 MNIST test images; ± one Monte-Carlo standard error).", "tab-noisy-draws")

# %% [markdown]
# ## Does class clustering reach the scale of the noise?
#
# In Goldfeld et al.'s account a noisy layer compresses when the representations of one
# class cluster so tightly that the Gaussians around them merge. Two measures on the same
# snapshots (`ibutils.geometry.spacing`, on the 1,000 test images) separate the two halves
# of that statement: the within/between class distance ratio says whether the classes
# cluster at all (lower: tighter clusters), and the median distance from an input to its
# nearest neighbour says whether the clustering reaches the noise (the dashed line; merging
# needs distances of a few noise standard deviations or less).

# %%
(ch.spacing_tabs("fig-noisy-spacing",
                 "Noisy nets on MNIST: every hidden layer's median distance from a test input "
                 "to its nearest neighbour (left, log axis; dashed: the noise's standard "
                 "deviation) and its within/between class distance ratio (right), mean of the "
                 "seeds with their range as a band, one row per network.")
 or prose("No noisy run with the distance measures is stored yet."))

# %%
(Dropdown("Distances per layer: first and last snapshot", ch.spacing_table())
 if ch.spacing_rows() else None)

# %% [markdown]
# ## What we found

# %%
prose(r"""
Written for the noisy runs committed with this page (the header lists them and any still
missing); the numbers are computed from the runs shown.

- **Noise in the tanh range leaves every hidden layer at the ceiling.** Of the hidden-layer
  points of every noisy net, at least {glue:text}`noisy_at_ceiling_min` sit within 0.01 bit of
  log2 1,000 = {glue:text}`noisy_ceiling` bits; the lowest value anywhere is
  {glue:text}`noisy_lowest` bits. The first hidden layer, where the estimate is exact,
  starts at or just below the ceiling and rises to it while the net fits: the reverse of
  compression.
- **No layer compresses after fitting.** Under the compression test
  {glue:text}`noisy_test_passed` of {glue:text}`noisy_test_cells` cells pass (every estimator,
  both sets, both noise levels); the largest mean drop after fitting under noisy-network MI is
  {glue:text}`noisy_noisy_largest` bits against a floor of {glue:text}`noisy_noisy_floor`.
  Rényi on the same snapshots behaves as in the deterministic nets (largest mean drop after
  fitting {glue:text}`noisy_renyi_largest`, floor {glue:text}`noisy_renyi_floor`).
- **Classes cluster, but never down to the scale of the noise.** In
  {glue:text}`spacing_ratio_fell` of {glue:text}`spacing_layers` hidden layers (of the nets
  that carry the distance measures) the within/between class distance ratio falls over
  training (from {glue:text}`spacing_ratio_first` at initialisation to
  {glue:text}`spacing_ratio_last` at the end; the distances figure above): the clustering
  Goldfeld et al. tie to compression happens. But the median distance from an input to its
  nearest neighbour never comes below {glue:text}`spacing_nearest_min` noise standard
  deviations ({glue:text}`spacing_nearest_where`). Gaussians that far apart barely overlap,
  so the clusters tighten without merging the inputs' noise clouds, and I(X;T) stays at
  log2 N: the fall Goldfeld et al. saw needs clusters as tight as the noise, which these
  nets, their inputs and this noise do not produce.
- **What the noise does to accuracy.** Test accuracy against the deterministic twin of each
  net: {glue:text}`noisy_acc_cost`.
- **The scale of the noise against the distances.** At initialisation the median
  nearest-neighbour distance in the 1-filter net's layers is {glue:text}`sweep_nn_range`.
  With the earlier layers noise-free, noise of 0.5 leaves the first layer at
  {glue:text}`sweep_conv1_at_05` bits but the sixth, the narrowest map, at
  {glue:text}`sweep_last_at_05` ({numref}`fig-noisy-sweep`): in that net the noise does blur
  deep representations; noise of 0.1 blurs none of them. In wider layers the distances are
  larger and the same noise blurs less: at initialisation, with noise 0.5 and no noise
  upstream, every conv layer of the 3- and 12-filter nets and of the FC net keeps
  {glue:text}`sweep_wide_conv` bits (median nearest-neighbour distances
  {glue:text}`sweep_wide_conv_nn`) and the FC net's dense layers {glue:text}`sweep_wide_dense`
  (`ibutils.book.noisy_page.initial_noise_sweep`, seed 0).
- **What remains open.** For layers behind other noisy layers the estimate is an upper
  bound, and more draws of the earlier noise (up to {glue:text}`draws_max`) leave it at the
  ceiling (lowest {glue:text}`draws_deep_min` bits). Whether the true I(X;T) of those layers
  falls during training is not answered by this method at this size; Goldfeld et al. ran it
  on small nets and low-dimensional layers for the same reason.
""")
