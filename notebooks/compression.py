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
# # Saturation and clustering: what the estimators call compression
#
# The factor chapters and the [verdict](verdict) judged Li & Liu {cite}`li2021ib` on their own
# terms: tanh networks, and mostly the binning estimator. Two objections from the literature
# say those terms cannot settle whether CNNs compress:
#
# 1. **Saturation.** Saxe et al. {cite}`saxe2018ib` found that the compression phase of tanh
#    networks comes from double-sided saturation: units driven towards +-1 put more inputs into
#    the same bin. With ReLU, which saturates on one side only, their networks did not
#    compress.
# 2. **Clustering.** Goldfeld et al. {cite}`goldfeld2019estimating` showed that in a
#    deterministic network I(X;T) is infinite (continuous inputs) or log2 N (a finite
#    sample), so what a binned or noise-smoothed estimate calls "compression" is the
#    representation clustering by class, a geometric change rather than a loss of
#    information.
#
# This chapter tests both objections on Li & Liu's CNN factors, on the
# width and depth series (the factors where the activation changes the most units), with
# both activations and five estimators, of which four do not depend on the activations being
# bounded:
#
# | estimator | suits unbounded activations because |
# |---|---|
# | the paper's bins, 0.67 wide | (it does not: kept for reference) |
# | 30 bins over each layer's observed range {cite}`shwartzziv2017opening` | bins follow the layer's range |
# | 30 equal-mass (adaptive) bins {cite}`chelombiev2019adaptive` | bin edges at the quantiles of the layer's pooled activations |
# | KDE upper bound, noise variance 0.1 {cite}`kolchinsky2017estimating` | the estimator Saxe et al. used for ReLU |
# | matrix-based Rényi, alpha = 1.01 {cite}`yu2019understanding` | kernel width scaled to the layer |
#
# On the same snapshots `ibutils.geometry` records each layer's geometry: the fraction of
# saturated units (tanh: |a| > 0.9; for ReLU the one-sided counterpart, units at exactly 0),
# the ratio of mean within-class to mean between-class distance (1 when the representation
# ignores the labels, towards 0 as classes contract into clusters) and the silhouette. The
# generalisation gap is the final train minus test accuracy (and test minus train loss).
#
# A layer *compresses* when it passes the {term}`compression test` of the [methods](methods)
# chapter: its I(X;T) falls after the network has fitted, by more than a floor of 3% of the
# estimator's scale, consistently over the seeds. To see where an estimate moves at all, the
# chapter also uses the methods' looser test, which flags any fall from a peak to the last
# snapshot larger than the seeds' spread and 0.05, whenever it happens; a flagged layer
# shows a *compression phase* when, in addition, its I(X;T) first rose by at least 0.05 (a
# fitting phase), the trajectory the IB theory predicts.

# %% tags=["parameters"]
profile = "book"  # "smoke" (CI, seconds), "book" (what the book shows), "paper" (10,000 epochs)
datasets = ["mnist", "fashion_mnist"]  # any of "mnist", "fashion_mnist"
epochs = 200  # training horizon; None uses the profile's (book: 1,000)
seeds = [0, 1, 2, 3, 4]  # None uses the profile's seeds (book: 0, 1, 2); with stored_seeds, 3 and 4 where stored
stored_seeds = True  # True: the first seed everywhere, the others only where already stored
split = "test"  # split the estimates are taken on: "train" or "test"
factors = ["width", "depth"]  # factors run under both activations
allow_training = False  # True: train runs not yet stored (CPU-hours); False: list them, stop
device = "cpu"  # "cuda" or "mps": train missing runs on a GPU (their results get keys of their own)
# activation -> factor -> variants left out, e.g. {"relu": {"width": ["w12"]}}
exclude = {}

# %%
import matplotlib.pyplot as plt

from ibutils.book import key_findings, load_compression, page_spec, prose, table

spec = page_spec(device=device, profile=profile, datasets=datasets, epochs=epochs, seeds=seeds, split=split,
                 allow_training=allow_training, stored_seeds=stored_seeds)
study = load_compression(spec, factors=factors, exclude=exclude)
PAPER, BY_COUNT, ADAPTIVE, KDE, RENYI = study.estimators
study.glue()  # the numbers the text quotes, computed from these runs

# %%
key_findings(r"""
Neither objection turns up a compression phase in these CNNs. On the width and depth nets,
with tanh and with ReLU, under the paper's bins and four estimators that suit unbounded
layers, {glue:text}`tanh_cal_passed` tanh and {glue:text}`relu_cal_passed` ReLU hidden-layer
cells (of {glue:text}`tanh_cal_renyi_test_cells` each) compress after fitting under the
compression test, on the test set or the training set. The binning estimates of hidden
layers sit at their ceiling almost everywhere (30 bins over the range:
{glue:text}`tanh_ceiling_range_bins` of the points for tanh, {glue:text}`relu_ceiling_range_bins`
for ReLU), so they cannot show a fall. The Rényi estimate moves, but its largest mean drop
after fitting ({glue:text}`tanh_cal_renyi_test_largest` for tanh,
{glue:text}`relu_cal_renyi_test_largest` for ReLU) stays under its floor of about
{glue:text}`tanh_cal_renyi_test_floor`.
""")

# %%
study.header()

# %% [markdown]
# ## Information planes, tanh against ReLU
#
# Each figure shows one factor on MNIST: the top row tanh, the bottom row ReLU, one panel per
# variant, each layer a line through its snapshots coloured by epoch (the softmax output is
# the star). Under the paper's fixed bins ReLU layers are unbounded, so their bin count
# grows with the activations; the four other estimators adapt to the layer.

# %% mystnb={"figure": {"caption": "Width series on MNIST under the KDE upper bound (noise variance 0.1), test set. Top row: tanh; bottom row: ReLU; one panel per network, its seeds together.", "name": "fig-compression-width-kde"}}
study.planes("width", KDE)
plt.show()

# %% mystnb={"figure": {"caption": "Width series on MNIST under the matrix-based R\u00e9nyi estimator, test set. Top row: tanh; bottom row: ReLU; one panel per network, its seeds together.", "name": "fig-compression-width-renyi"}}
study.planes("width", RENYI)
plt.show()

# %% mystnb={"figure": {"caption": "Depth series on MNIST with 30 equal-mass (adaptive) bins over the layer's pooled activations, test set. Top row: tanh; bottom row: ReLU; one panel per network, its seeds together.", "name": "fig-compression-depth-adaptive"}}
study.planes("depth", ADAPTIVE)
plt.show()

# %% mystnb={"figure": {"caption": "Depth series on Fashion-MNIST under the matrix-based R\u00e9nyi estimator, test set. Top row: tanh; bottom row: ReLU; one panel per network, its seeds together.", "name": "fig-compression-depth-renyi"}}
study.planes("depth", RENYI, dataset=datasets[-1])
plt.show()

# %% [markdown]
# ## What each estimator can see
#
# A deterministic layer maps N distinct images to at most N distinct patterns, so a binned
# I(X;T) cannot exceed log2 N, and the KDE bound on a subsample of n inputs cannot exceed
# log2 n. An estimate at its ceiling cannot fall. The table counts the hidden-layer points
# (every hidden layer of every run at every snapshot) within 0.01 bit of the ceiling; Rényi
# has no ceiling in bits and is left out.

# %%
table(study.ceilings(), "Hidden-layer points at the ceiling of each binning and KDE "
      "estimator, per activation.", "tab-compression-ceilings")

# %% [markdown]
# ## Does any estimator show a compression phase?
#
# Every hidden layer of every configuration, per factor, activation and estimator: how many
# the looser test flags (any fall from a peak), how many of those first went through a
# fitting phase, and the largest drop (bits; Rényi values are in the estimator's own units).

# %%
table(study.phases(), "Hidden layers flagged by the looser test, and after a fitting phase, "
      "per factor, activation and estimator.", "tab-compression-phases")

# %%
prose(r"""
The looser test above counts any fall after a peak, including falls from the random
initialisation before the network has fitted. The compression test
(fitting first, unbiased per-seed drops, a floor of 3% of each
estimator's scale, a 5% false discovery rate, and a false-positive rate measured on
time-shuffled curves; see the [methods](methods)) asks only for falls after fitting. Under
it {glue:text}`tanh_cal_passed` tanh cells and {glue:text}`relu_cal_passed` ReLU cells
compress, on either set ({numref}`tab-compression-calibrated`); the largest mean drop after
fitting under Rényi is {glue:text}`tanh_cal_renyi_test_largest` for tanh and
{glue:text}`relu_cal_renyi_test_largest` for ReLU (test set).
""")

# %% tags=["full-width"]
table(study.calibrated(), "The calibrated compression test per activation, estimator and set: "
      "cells passing before and after the false-discovery correction, the largest drop after "
      "fitting, and the false-positive rate on time-shuffled curves.",
      "tab-compression-calibrated")

# %% [markdown]
# ## Does it coincide with saturation or with clustering?
#
# For each layer the looser test flags we look at the same epochs, from the peak of I(X;T) to the last
# snapshot: did the layer saturate more (tanh: the fraction of |a| > 0.9 rose by more than
# 0.01; ReLU: the fraction of units at 0 did), and did it cluster more by class (the
# within/between distance ratio fell by more than 0.01)? Over all hidden layers, not only
# the flagged ones, the last two columns correlate the size of the drop with the rise of
# saturation and with the gain in clustering (Pearson r with n layers; the 6-layer,
# 6-filter net belongs to both factors and counts once). The layers of one network, and
# its seeds, are not independent observations, so the 95% interval is a cluster
# bootstrap: 2,000 resamples of whole configurations, each taken with all its layers
# ({cite}`davison1997bootstrap`, sec. 3.8; `ibutils.analysis.statistics.cluster_bootstrap_ci`). Where
# only a few configurations vary at all (most binned drops are exactly 0), most resamples
# have no correlation to compute, and the table gives none.

# %% tags=["full-width"]
table(study.coincidence(), "Compressing layers against their saturation and class clustering "
      "over the same epochs, and correlations over all hidden layers.", "tab-compression-coincidence")

# %% mystnb={"figure": {"caption": "The 3-filter width net on MNIST, tanh (top) and ReLU (bottom): every layer's I(X;T) under the matrix-based R\u00e9nyi estimator (left), its saturation (middle: tanh, fraction of activations with |a| > 0.9; ReLU, fraction at exactly 0) and its within/between class distance ratio (right), on the same snapshots. The ReLU softmax's values at exactly 0 are confident outputs underflowing in float32.", "name": "fig-compression-geometry-w3"}}
study.geometry("width", "w3", RENYI)
plt.show()

# %% mystnb={"figure": {"caption": "The 1-filter width net on Fashion-MNIST, tanh (top) and ReLU (bottom): every layer's I(X;T) under the matrix-based R\u00e9nyi estimator (left), saturation (middle) and class clustering (right). Lines: mean over the trained seeds; bands: their range. The ReLU row has two trained seeds (seed 2 never trained), one of them at chance until epoch 50, hence its wide bands; its conv3 rises and then falls by more than 0.05. Gaps: a layer with every unit at 0 has no defined class distances.", "name": "fig-compression-geometry-w1"}}
study.geometry("width", "w1", RENYI, dataset=datasets[-1])
plt.show()

# %% [markdown]
# ## Does compression track generalisation?
#
# If compression is what makes a network generalise, the runs whose layers compress more
# should have the smaller generalisation gap: a negative correlation. Per run, the largest
# drop of I(X;T) after its peak over the hidden layers, against the final gap.

# %%
table(study.gap(), "Pearson r of each run's largest hidden-layer drop with its final "
      "generalisation gap, per estimator and activation: 95% interval resampling whole "
      "configurations (their seeds together), n runs.", "tab-compression-gap")

# %% mystnb={"figure": {"caption": "Per run: the largest hidden-layer drop of I(X;T) after its peak (x) against the final train minus test accuracy (y), one panel per estimator. Circles: tanh; triangles: ReLU; colours: datasets; dotted: the 0.05 floor of the compression test.", "name": "fig-compression-gap"}}
study.gap_scatter()
plt.show()

# %% [markdown]
# ## Summary: the verdict's columns beyond the paper
#
# One row per factor and activation; the [verdict chapter](verdict) shows the same table.

# %%
table(study.summary(), "Beyond the paper, per factor and activation: compression phases, their "
      "coincidence with saturation and clustering, and the link to the accuracy gap.",
      "tab-compression-summary")

# %% [markdown]
# ## What we found

# %%
prose(r"""
Written for the `book` results committed with this page: the first 200 epochs, both
datasets, the width nets with 1, 3, 6 and 12 filters and the depth nets with 1, 2, 6 and
9 layers, each with tanh and with ReLU; seeds 0, 1 and 2 of every net and seeds 3 and 4 of
the tanh nets with 1 and 3 filters and 1 and 2 layers, each with every estimator of this
page (the header above names the one run set apart).
The 6-layer, 6-filter net belongs to both series and counts once in whole-chapter
numbers: {glue:text}`tanh_runs` tanh and {glue:text}`relu_runs` ReLU runs, {glue:text}`tanh_layers` and
{glue:text}`relu_layers` distinct hidden layers. The numbers in this section are computed from the runs shown
(`ibutils.book.facts.compression_chapter_facts`); the sentences around them were written for the committed runs,
so a page built with other parameters may need its tables read instead.

- **A 1-filter ReLU net can fail to train at all.** Seed 2 of the 1-filter ReLU net on
  Fashion-MNIST stays at chance (training accuracy 0.100) from its first epoch to epoch
  200, with 94-100% of its conv activations at 0 by the end, and seed 1 of the same net
  sits at chance until epoch 50 and recovers between epochs 50 and 63 (final training
  accuracy 0.82). The dead run is set apart and named in the header (rule: at its last
  snapshot some hidden layer outputs exactly 0 for every input, here conv6, so the net's
  output is constant): it has no fitting to follow and no generalisation gap, and its
  collapsed I(X;T) would read as a huge "drop". No tanh run and no wider ReLU run dies.
- **Every binning and the KDE bound sit at their ceiling in almost every tanh layer; ReLU
  layers fall below it where their units switch off** ({numref}`tab-compression-ceilings`).
  Of the {glue:text}`tanh_points` tanh hidden-layer points, 30 bins over each layer's range put
  {glue:text}`tanh_ceiling_range_bins` at log2 N, 30 equal-mass bins
  {glue:text}`tanh_ceiling_adaptive_bins`, the KDE bound (noise variance 0.1)
  {glue:text}`tanh_ceiling_kde` at log2 n of its 1,000-input subsample, and the paper's
  0.67-wide bins {glue:text}`tanh_ceiling_paper_bins`. Of the {glue:text}`relu_points` ReLU points:
  {glue:text}`relu_ceiling_range_bins`, {glue:text}`relu_ceiling_adaptive_bins`,
  {glue:text}`relu_ceiling_kde` and {glue:text}`relu_ceiling_paper_bins`. In the narrow ReLU nets whole
  layers are mostly or entirely at 0 for stretches of training (up to 88% of a layer's
  activations at the end, in the 1-filter nets' first layers), and such points fall below
  the ceiling. Replacing tanh by ReLU does not give these estimators a compression to see:
  a conv layer has thousands of units, and 10,000 inputs each get a pattern of their own as
  soon as the layer is alive.
- **Under those four estimators no hidden layer even falls** ({numref}`tab-compression-phases`).
  Hidden layers flagged by the looser test under 0.67-wide bins, 30 bins, equal-mass bins and the
  KDE bound: {glue:text}`tanh_paper_bins_passing`, {glue:text}`tanh_range_bins_passing`,
  {glue:text}`tanh_adaptive_bins_passing` and {glue:text}`tanh_kde_passing` (tanh);
  {glue:text}`relu_paper_bins_passing`, {glue:text}`relu_range_bins_passing`,
  {glue:text}`relu_adaptive_bins_passing` and {glue:text}`relu_kde_passing` (ReLU).
- **Only the Rényi estimator moves, it falls more often with ReLU than with tanh, and
  almost always from the start of training.** Under Rényi {glue:text}`tanh_renyi_passing` of the
  {glue:text}`tanh_layers` tanh hidden layers and {glue:text}`relu_renyi_passing` of the
  {glue:text}`relu_layers` ReLU layers are flagged by the looser test (largest drops
  {glue:text}`tanh_renyi_largest_drop` and {glue:text}`relu_renyi_largest_drop`, in the estimator's
  units) ({numref}`tab-compression-phases`, {numref}`tab-compression-coincidence`).
  Of them, {glue:text}`tanh_renyi_early` tanh and {glue:text}`relu_renyi_early` ReLU
  layers peak at epoch 0, 1 or 2 without rising first: I(X;T) drifts down from the random
  initialisation rather than fitting and then compressing. The others peak later or rise
  first (tanh: {glue:text}`tanh_renyi_late`; ReLU: {glue:text}`relu_renyi_late`). Layers with a fit-then-compress trajectory (a rise of at least
  0.05 before the peak): {glue:text}`tanh_renyi_phase` tanh, {glue:text}`relu_renyi_phase` ReLU
  ({glue:text}`relu_renyi_phase_layers`; {numref}`fig-compression-geometry-w1`, bottom left).
  Saxe et al. {cite}`saxe2018ib` found that ReLU removes the compression of tanh nets; on
  these CNNs ReLU layers fall more often under the one estimator that moves, but what they
  add is early {term}`drift <drift from initialisation>`, not a compression phase.
- **Where Rényi I(X;T) falls, the layer clusters by class; saturation goes with it only
  under tanh, and weakly** ({numref}`tab-compression-coincidence`). Of the layers the
  looser test flags, {glue:text}`tanh_renyi_clustering` of {glue:text}`tanh_renyi_passing` (tanh) and
  {glue:text}`relu_renyi_clustering` of {glue:text}`relu_renyi_passing` (ReLU) tightened their class
  clusters over the same epochs (within/between distance ratio down by more than 0.01),
  and over all hidden layers the size of the drop correlates with the gain in clustering:
  r = {glue:text}`tanh_renyi_r_clustering` (tanh) and r = {glue:text}`relu_renyi_r_clustering` (ReLU),
  intervals that resample the {glue:text}`tanh_configs` and {glue:text}`relu_configs` configurations.
  For saturation, {glue:text}`tanh_renyi_saturating` of the {glue:text}`tanh_renyi_passing` tanh
  layers saturated more while falling, r = {glue:text}`tanh_renyi_r_saturation`; of the
  {glue:text}`relu_renyi_passing` ReLU layers, {glue:text}`relu_renyi_saturating` gained
  units at 0 while falling, r = {glue:text}`relu_renyi_r_saturation`. The 1-filter tanh net on Fashion-MNIST shows the link
  curve by curve (mean of five seeds, with narrow bands): its layers' Rényi estimates dip
  and recover in step with their within/between ratio, while only its last conv layer
  saturates, and late ({numref}`fig-compression-geometry-w1`, top row). This is the
  reading of Goldfeld et al. {cite}`goldfeld2019estimating`: what the estimate calls
  compression is the geometry of the representation. It is a correlation over layers, not
  a proof of mechanism.
- **Compression and generalisation: at most a weak link, on the edge of what these runs
  can tell from none** ({numref}`tab-compression-gap`, {numref}`fig-compression-gap`). Over the
  {glue:text}`gap_all_runs` runs that trained ({glue:text}`gap_all_configs` configurations), a run's
  largest Rényi drop correlates with its final train-test accuracy gap at r =
  {glue:text}`gap_all_renyi_acc`: the sign the IB theory predicts (more compression, smaller
  gap), with an interval that resamples whole configurations and
  {glue:text}`gap_all_renyi_acc_zero`. Within each activation it is {glue:text}`gap_tanh_renyi_acc`
  for tanh and {glue:text}`gap_relu_renyi_acc` for ReLU, and with the loss gap r =
  {glue:text}`gap_all_renyi_loss`. Within the width series alone it is stronger,
  {glue:text}`gap_width_tanh_renyi_acc` (tanh) and {glue:text}`gap_width_relu_renyi_acc`
  (ReLU), but there width moves both quantities at once: on Fashion-MNIST the 1-filter
  nets drift the most (mean largest Rényi drop {glue:text}`gap_tanh_fashion_mnist_w1_renyi_drop`
  tanh, {glue:text}`gap_relu_fashion_mnist_w1_renyi_drop` ReLU) and overfit the least (accuracy
  gaps {glue:text}`gap_tanh_fashion_mnist_w1_acc_gap` and {glue:text}`gap_relu_fashion_mnist_w1_acc_gap`),
  the 12-filter nets the reverse (drops {glue:text}`gap_tanh_fashion_mnist_w12_renyi_drop` and
  {glue:text}`gap_relu_fashion_mnist_w12_renyi_drop`, gaps
  {glue:text}`gap_tanh_fashion_mnist_w12_acc_gap` and {glue:text}`gap_relu_fashion_mnist_w12_acc_gap`),
  which is what one would see if width alone set both. The depth series shows
  no such link ({glue:text}`gap_depth_tanh_renyi_acc` tanh,
  {glue:text}`gap_depth_relu_renyi_acc` ReLU; {numref}`tab-compression-summary`). Whether
  its interval includes 0 turns on a single configuration's seeds, and it rests on a few
  configurations, so it should not be read as more than "possibly weak". The 0.67-wide bins
  and the KDE bound give r = {glue:text}`gap_all_paper_bins_acc` and {glue:text}`gap_all_kde_acc` over
  all runs, from drops that are exactly 0 in all but a few narrow nets, so a shared
  dependence on width and depth (narrow nets move more and generalise differently) could
  produce such values without any causal role for compression. The 30 bins and
  equal-mass bins have no drops at all, hence no r.

In short: on Li & Liu's CNNs the question "is there a compression phase?" cannot be asked
of binning or a fixed-noise KDE, tanh or ReLU; the one estimator that can answer sees
early, small decreases that follow class clustering, a single fit-then-compress layer in
the narrowest ReLU net, and at most a weak link to generalisation: over all runs its
interval sits on the edge of 0 (r = {glue:text}`gap_all_renyi_acc`, an interval that
{glue:text}`gap_all_renyi_acc_zero`), and within the width series, where it clearly
is stronger (its interval reaches 0 under tanh and excludes it under ReLU), width itself
sets both the drift and the gap. The intervals resample
whole configurations ({glue:text}`gap_all_configs` of them), so it is more configurations,
not more seeds of these, that would narrow them.
""")
