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
# # Conv width

# %% tags=["parameters"]
profile = "book"  # "smoke" (CI, seconds), "book" (what the book shows), "paper" (10,000 epochs)
datasets = ["mnist", "fashion_mnist"]  # any of "mnist", "fashion_mnist"
epochs = 200  # training horizon; None uses the profile's (book: 1,000)
long_epochs = 1000  # seed 0 trained on to this horizon, shown where stored; None: not shown
seeds = [0, 1, 2, 3, 4]  # None uses the profile's seeds (book: 0, 1, 2); with stored_seeds, 3 and 4 where stored
stored_seeds = True  # True: the first seed everywhere, the others only where already stored
split = "test"  # split the information planes are measured on: "train" or "test"
bin_width = 0.67  # the paper's fixed bin width
n_bins = 30  # bins over each layer's observed range (Shwartz-Ziv & Tishby)
renyi_samples = 500  # inputs (seeded subsample) for the matrix-based Rényi estimator
allow_training = False  # True: train runs not yet stored (CPU-hours); False: list them, stop
device = "cpu"  # "cuda" or "mps": train missing runs on a GPU (their results get keys of their own)
explorer = True  # False: skip building the live ipywidgets explorer (static builds)

# %%
import matplotlib.pyplot as plt

from ibutils.book import key_findings, load_chapter, page_spec, prose

spec = page_spec(device=device, profile=profile, datasets=datasets, epochs=epochs, seeds=seeds, split=split,
                 bin_width=bin_width, n_bins=n_bins, renyi_samples=renyi_samples,
                 allow_training=allow_training, stored_seeds=stored_seeds)
ch = load_chapter("width", spec, long_epochs=long_epochs)
ch.glue()  # the numbers the text quotes, computed from these runs

# %%
key_findings(r"""
Wider nets reach a higher test accuracy and output I(T;Y), as Li & Liu report:
{glue:text}`mnist_ity` bits for 1, 3, 6 and 12 filters on MNIST and
{glue:text}`fashion_mnist_ity` bits on Fashion-MNIST (seed means after 200 epochs). They
also fit faster, except that 1 and 3 filters cannot be told apart on MNIST (epochs to 95%
of the final accuracy: {glue:text}`mnist_fast`). No layer compresses: with the paper's bins
{glue:text}`sat_paper_bins_pct` of the hidden-layer points sit at the {term}`ceiling` log2 N,
where the estimate cannot fall, and under the {term}`compression test` {glue:text}`paper_bins_test_pass` of
{glue:text}`paper_bins_test_cells` hidden layers pass with those bins and
{glue:text}`renyi_test_pass` with the Rényi estimator (its largest mean drop after fitting,
{glue:text}`renyi_test_largest`, against a floor of {glue:text}`renyi_test_floor`). The paper's
"no compression" holds; with its estimator it could not have come out otherwise.
**After epoch 200.** {glue:text}`long_summary`
""")

# %% [markdown]
# **Question.** Li & Liu train six-layer tanh CNNs with 3x3 kernels and 1, 3, 6 or 12 filters
# per layer, and report that (i) wider networks fit faster and reach a higher I(T;Y) at the
# output, and (ii) no layer shows a compression phase, i.e. I(X;T) never falls after its
# fitting phase. This chapter reruns that experiment on MNIST and Fashion-MNIST with the
# paper's estimator (binning with a fixed bin width of 0.67) and, beside it, binning with 30
# bins over each layer's observed range.
#
# How the runs are set up (data, nets, optimiser, snapshots, profiles) is described in the
# [methods](methods) chapter; everything below is computed by `ibutils` and loaded from
# `results/` when it is already there.

# %%
ch.header()

# %% [markdown]
# ## The answer in one figure
#
# Where every network's layers end after training, under the paper's estimator and under the
# scale-aware Rényi estimator. With the paper's bins every hidden layer sits at the same
# point, the ceiling; only the output moves. Rényi separates the layers; a layer that
# compressed would end left of the peak of its path (the planes below show whole paths).

# %% mystnb={"figure": {"caption": "Where every layer ends after 200 epochs (means of the seeds): each network is the chain of its layers from conv1 to the softmax output (star), under the paper's bins (left) and the Rényi estimator (right), one row per dataset; faint lines lead from each layer's place at initialisation. Dotted: the ceilings log2 N and H(Y).", "name": "fig-width-headline"}}
ch.headline()
plt.show()

# %% [markdown]
# ## The information plane with the paper's estimator
#
# Each tab is one dataset, each panel one network with its seeds together: a thin line per
# seed and layer, and the seeds' mean as points whose colour is the epoch and whose marker is
# the layer (from `conv1` to the softmax output, a star). Dotted lines mark the ceilings:
# log2 N for binned I(X;T) and H(Y) for I(T;Y).

# %%
ch.planes(ch.paper, "fig-width-plane-paper",
          "Information planes of the width variants, binning with bin width 0.67 as in the "
          "paper, measured on the test set. One panel per network, its seeds together (thin "
          "lines: each seed; points: their mean, coloured by epoch).")

# %% [markdown]
# In {numref}`fig-width-plane-paper` the conv layers sit in the top-right corner: each of the
# N inputs falls into its own bin pattern, so binned I(X;T) = H(T) = log2 N and
# I(T;Y) = H(Y). The count below says exactly how many points are at this {term}`ceiling`.

# %%
ch.saturation()

# %% [markdown]
# ## Thirty bins over each layer's range
#
# The same runs ({numref}`fig-width-plane-30bins`), binned with 30 equal bins between each
# layer's minimum and maximum activation at that snapshot. Finer bins put wide layers at the ceiling even sooner;
# the point of this panel is whether any layer moves at all.

# %%
ch.planes(ch.by_count, "fig-width-plane-30bins",
          "Information planes of the width variants with 30 bins over each layer's observed "
          "range (test set). One panel per network, its seeds together (thin lines: each seed; "
          "points: their mean, coloured by epoch).")

# %% [markdown]
# ## A scale-aware estimator: matrix-based Rényi entropy
#
# The same runs measured with the matrix-based Rényi estimator of the
# [estimators chapter](estimators) (α = 1.01, Gaussian kernels whose width follows each
# layer's scale, a seeded subsample of inputs). It does not reach a ceiling, so differences between
# layers and across training become visible; its values are kernel-scale summaries, not
# Shannon bits, and are compared only with each other.

# %%
ch.planes(ch.renyi, "fig-width-plane-renyi",
          "Information planes of the width variants under the matrix-based Rényi estimator "
          "(alpha = 1.01, default kernel widths, seeded subsample), test set. One panel per "
          "network, its seeds together (thin lines: each seed; points: their mean, coloured by "
          "epoch).")

# %% [markdown]
# ## Does any layer compress?
#
# The compression test of the [methods](methods), fixed before looking at the results: a
# layer compresses when its I(X;T) falls after the network has fitted (its output I(T;Y) has
# reached 95% of its rise), by more than a floor of 3% of the estimator's scale, consistently
# over the seeds (one-sided t-test, with the false discovery rate over the chapter's layers
# held at 5%). Each square is one layer of one configuration: red when I(X;T) fell after
# fitting (1 = the floor), blue when it rose; a dot marks a layer that passes.

# %% mystnb={"figure": {"caption": "The compression test of every hidden layer: the seeds' mean drop of I(X;T) after fitting, in units of the estimator's floor (red: a fall, blue: a rise), under the paper's bins, 30 bins over each layer's range and Rényi; a dot marks a layer that passes (none here). The full table is below.", "name": "fig-width-compression"}}
ch.compression()
plt.show()

# %%
ch.compression_table()

# %% [markdown]
# ## The output layer across training
#
# Only the softmax output moves in these planes. Its I(T;Y) is the paper's measure of
# fitting; its binned I(X;T) is capped by the few patterns a probability vector can take at
# width 0.67 (log2 11 = 3.46 bits).

# %% mystnb={"figure": {"caption": "Softmax-layer I(X;T) and I(T;Y) against epoch (log axis) for every width, paper's estimator, test set; dashed lines: train set.", "name": "fig-width-output-mi"}}
ch.output_mi()
plt.show()

# %% [markdown]
# ## Loss and accuracy
#
# The paper's width claim is about fitting: wider nets fit faster and reach a higher output
# I(T;Y). The table puts numbers on it (means over the seeds shown).

# %%
ch.fitting()

# %% mystnb={"figure": {"caption": "Training (dashed) and test (solid) loss and accuracy of the width variants.", "name": "fig-width-curves"}}
ch.curves()
plt.show()

# %% [markdown]
# ## Per-layer I(X;T) against epoch
#
# For the widest and the narrowest net, every layer's I(X;T) under the three estimators. A
# compression phase would show as a curve that rises and then falls.

# %% mystnb={"figure": {"caption": "I(X;T) of every layer against epoch for 1 and 12 filters per layer, paper's estimator (left), 30 bins (middle) and matrix-based Rényi (right), test set.", "name": "fig-width-ixt-epoch"}}
ch.layer_mi(("w1", "w12"))
plt.show()

# %% [markdown]
# ## Training, frame by frame
#
# Drag the slider (or press play) to move through the snapshots of one network: the
# 12-filter net on the first dataset, with 30 bins over each layer's range. This works in the
# static book, without a running kernel.

# %%
ch.animation("w12", ch.by_count)

# %% [markdown]
# In Jupyter, the next cell opens an explorer of every stored run of this chapter (dataset,
# variant, seed, estimator, split, layers, epoch range); it needs a live kernel, so the static
# book leaves it out.

# %% tags=["remove-output"]
ch.explorer() if explorer else None

# %% [markdown]
# ## After epoch 200
#
# The seed bands of this chapter stop at epoch 200 of the `book` profile's 1,000. Seed 0 of
# each configuration is trained on to 1,000 epochs (where it is stored; the table below lists
# the others). Solid lines and bands are the seeds up to epoch 200, dashed lines seed 0
# beyond it; a late compression phase would be a dashed curve that falls after the dotted
# line. A layer counts as changed when its seed-0 value at 1,000 epochs lies further from its
# value at 200 than the seeds lie from each other at 200.

# %%
ch.longer("fig-width-longer",
          "Every layer's I(X;T) against epoch under the paper's bins (left) and Rényi "
          "(right): the seeds' mean and range up to epoch 200 (solid, band) and seed 0 trained "
          "on to 1,000 epochs (dashed), one row per network; dotted: epoch 200.")

# %%
ch.horizon_table() if ch.long else None

# %%
prose(r"""
{glue:text}`long_summary`
""")

# %% [markdown]
# ## What we found

# %%
prose(r"""
The numbers are computed from the runs shown; the sentences around them describe the committed runs (200 epochs; seeds 0, 1 and 2 of every network, 3 and 4 of some, as the header says), so with other parameters read the figures and tables.

- **Wider nets reach higher accuracy and output I(T;Y): this part of the paper's width
  claim holds.** Final test accuracy and output I(T;Y) rise with width on both datasets
  (means over seeds; MNIST: {glue:text}`mnist_acc` and {glue:text}`mnist_ity` bits for 1, 3, 6, 12
  filters; Fashion-MNIST: {glue:text}`fashion_mnist_acc` and {glue:text}`fashion_mnist_ity` bits),
  close to the authors' released values (about 2.5/3.0/3.1/3.1 and
  2.1/2.3/2.4/2.5 bits). The seeds of one width differ by at most {glue:text}`acc_spread` in accuracy
  and {glue:text}`ity_spread` bits in I(T;Y), less than the step from 1 to 3 filters.
- **"Wider nets fit faster" holds on Fashion-MNIST but not between 1 and 3 filters on
  MNIST.** The epoch at which the seed-mean test accuracy reaches 95% of its final value is
  {glue:text}`fashion_mnist_fast` on Fashion-MNIST, but {glue:text}`mnist_fast` on MNIST: there the
  seeds of the 1- and 3-filter nets overlap ({glue:text}`mnist_w1_fast_range` against
  {glue:text}`mnist_w3_fast_range` epochs), so the two cannot be ordered;
  from 3 filters up the order holds. On Fashion-MNIST the test loss is lowest at epochs
  {glue:text}`fashion_mnist_min_loss` for 1, 3, 6 and 12 filters: the wider the net, the earlier it overfits.
- **"No compression" is forced by the estimator.** With the paper's 0.67-wide bins,
  {glue:text}`sat_paper_bins` of the {glue:text}`sat_points` hidden-layer points
  ({glue:text}`sat_paper_bins_pct`) sit exactly at log2 N = 13.29 bits on the test set; with 30
  bins over each layer's range, {glue:text}`sat_range_bins` ({glue:text}`sat_range_bins_pct`) do. The only exceptions are the
  narrowest nets on Fashion-MNIST (1 filter: 13-60 points per seed in conv4-conv6; 3
  filters: at most 3 points of conv6 in the first 2 epochs). Those layers dip below log2 N
  in the first epochs (by up to 1.9 bits) and *rise* back to within 0.02 bits of it by
  epoch 200: the reverse of a compression phase. Under the compression test, {glue:text}`paper_bins_test_pass` of {glue:text}`paper_bins_test_cells` hidden layers pass with the paper's bins and {glue:text}`range_bins_test_pass` with 30 bins.
- **The output layer "compresses" only as an artefact of the bins.** With 30 bins over the
  softmax's observed range, output I(X;T) falls by 4-10 bits from epoch 0: at
  initialisation all probabilities sit near 0.1, so 30 bins over that narrow range separate
  every input, and as training spreads the outputs over [0, 1] the same 30 bins become
  coarse. With fixed 0.67-wide bins the output is capped at log2 11 = 3.46 bits and falls by
  at most 0.09 bits (towards H(Y) = 3.32 bits, as the "no class above 0.67" pattern
  disappears). Neither is the compression phase of the IB theory.
- **A scale-aware estimator sees a {term}`dip` and a partial recovery, not a compression phase.** Under matrix-based Rényi entropy the
  conv layers' seed-mean I(X;T) falls while the net fits (those falling by more than 0.05
  are lowest at epochs {glue:text}`renyi_dip_epochs`, at most {glue:text}`renyi_dip` below their
  start: {glue:text}`renyi_dip_where`), then climbs back part of the way, to end within
  {glue:text}`renyi_end_change` of its value at initialisation: the reverse of the fitting then
  compression order of {cite}`shwartzziv2017opening`;
  in {glue:text}`renyi_pass` of the {glue:text}`renyi_cells` hidden layers the seed-mean
  I(X;T) ends more than 0.05 below its peak (at most {glue:text}`renyi_largest`,
  {glue:text}`renyi_largest_where`), and every one of those peaks is at epoch 0 or 1, before
  the net has fitted: they decrease from initialisation rather than fit and then compress,
  and after fitting no layer falls by more than {glue:text}`renyi_test_largest` (the
  compression test's floor is {glue:text}`renyi_test_floor`; {glue:text}`renyi_test_pass`
  pass). The softmax output falls by 0.2-0.7 from its value at
  initialisation on every net. The [estimators chapter](estimators) shows how every estimator setting behaves on
  one of these runs.
""")
