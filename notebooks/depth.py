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
# # Depth

# %% tags=["parameters"]
profile = "book"  # "smoke" (CI, seconds), "book" (what the book shows), "paper" (10,000 epochs)
datasets = ["mnist", "fashion_mnist"]  # any of "mnist", "fashion_mnist"
epochs = 200  # training horizon; None uses the profile's (book: 1,000)
long_epochs = 1000  # seed 0 trained on to this horizon, shown where stored; None: not shown
seeds = [0, 1, 2, 3, 4]  # None uses the profile's seeds (book: 0, 1, 2); with stored_seeds, 3 and 4 where stored
stored_seeds = True  # True: the first seed everywhere, the others only where already stored
split = "test"  # split the estimates are shown for: "train" or "test"
bin_width = 0.67  # the paper's fixed bin width
n_bins = 30  # bins over each layer's observed range (Shwartz-Ziv & Tishby)
renyi_samples = 500  # inputs (seeded subsample) for the matrix-based Rényi estimator
allow_training = False  # True: train runs not yet stored (CPU-hours); False: list them, stop
device = "cpu"  # "cuda" or "mps": train missing runs on a GPU (their results get keys of their own)
variants = None  # None: all of "d1", "d2", "d6", "d9"; or a list of some
explorer = True  # False: skip building the live ipywidgets explorer (static builds)

# %%
import matplotlib.pyplot as plt

from ibutils.book import key_findings, load_chapter, page_spec, prose

spec = page_spec(device=device, profile=profile, datasets=datasets, epochs=epochs, seeds=seeds, split=split,
                 bin_width=bin_width, n_bins=n_bins, renyi_samples=renyi_samples,
                 allow_training=allow_training, stored_seeds=stored_seeds)
ch = load_chapter("depth", spec, variants=variants, long_epochs=long_epochs)
ch.glue()  # the numbers the text quotes, computed from these runs

# %%
key_findings(r"""
Depth raises test accuracy and output I(T;Y) on MNIST up to six layers
({glue:text}`mnist_ity` bits for 1, 2, 6 and 9 layers) but not on Fashion-MNIST
({glue:text}`fashion_mnist_ity` bits), where deeper nets fit more slowly (epochs to 95% of
the final accuracy: {glue:text}`fashion_mnist_fast`). No layer compresses, at any depth:
with the paper's bins {glue:text}`sat_paper_bins_pct` of the hidden-layer points sit at the
ceiling log2 N, and under the {term}`compression test` {glue:text}`paper_bins_test_pass` of
{glue:text}`paper_bins_test_cells` hidden layers pass with those bins and
{glue:text}`renyi_test_pass` with Rényi. Under Rényi, I(X;T) falls from layer to layer in the
deep nets, which the data-processing inequality allows but does not require.
**After epoch 200.** {glue:text}`long_summary`
""")

# %% [markdown]
# **Question.** Li & Liu stack 1, 2, 6 or 9 conv layers of 6 filters with 3x3 kernels
# {cite}`li2021ib` and report, as for every factor, that no layer shows a compression phase.
# Depth is where the information-plane picture of Shwartz-Ziv & Tishby
# {cite}`shwartzziv2017opening` makes its sharpest prediction: each deeper layer should
# compress more, down a chain I(X;T1) >= I(X;T2) >= ... that the data-processing
# inequality guarantees for the true mutual information. This chapter reruns the series on
# MNIST and Fashion-MNIST with the paper's estimator, 30 bins over each layer's range, and
# the matrix-based Rényi estimator of the [estimators chapter](estimators).
#
# The 6-layer net is the same configuration as the 6-filter net of the [width chapter](width):
# the cache key is a hash of the configuration, so both chapters show the same stored runs.

# %%
ch.header()

# %% [markdown]
# ## The answer in one figure
#
# Where every network's layers end after training, under the paper's estimator and under the
# scale-aware Rényi estimator. With the paper's bins every hidden layer sits at the same
# point, the ceiling; only the output moves. Rényi separates the layers; a layer that
# compressed would end left of the peak of its path (the planes below show whole paths).

# %% mystnb={"figure": {"caption": "Where every layer ends after 200 epochs (means of the seeds): each network is the chain of its layers from conv1 to the softmax output (star), under the paper's bins (left) and the Rényi estimator (right), one row per dataset; faint lines lead from each layer's place at initialisation. Dotted: the ceilings log2 N and H(Y).", "name": "fig-depth-headline"}}
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
ch.planes(ch.paper, "fig-depth-plane-paper",
          "Information planes of the depth variants with the paper's estimator (bins 0.67 "
          "wide), test set. One panel per network, its seeds together (thin lines: each seed; "
          "points: their mean, coloured by epoch).")

# %%
ch.saturation()

# %% [markdown]
# ## Thirty bins, and a scale-aware estimator
#
# The same runs with 30 bins over each layer's range ({numref}`fig-depth-plane-30bins`)
# and with the matrix-based Rényi estimator ({numref}`fig-depth-plane-renyi`), whose values
# are kernel-scale summaries compared only with each other.

# %%
ch.planes(ch.by_count, "fig-depth-plane-30bins",
          "Information planes of the depth variants with 30 bins over each layer's observed "
          "range, test set. One panel per network, its seeds together (thin lines: each seed; "
          "points: their mean, coloured by epoch).")

# %%
ch.planes(ch.renyi, "fig-depth-plane-renyi",
          "Information planes of the depth variants under the matrix-based Rényi estimator "
          "(alpha = 1.01, seeded subsample), test set. One panel per network, its seeds "
          "together (thin lines: each seed; points: their mean, coloured by epoch).")

# %% [markdown]
# ## Does any layer compress?
#
# The compression test of the [methods](methods), fixed before looking at the results: a
# layer compresses when its I(X;T) falls after the network has fitted (its output I(T;Y) has
# reached 95% of its rise), by more than a floor of 3% of the estimator's scale, consistently
# over the seeds (one-sided t-test, with the false discovery rate over the chapter's layers
# held at 5%). Each square is one layer of one configuration: red when I(X;T) fell after
# fitting (1 = the floor), blue when it rose; a dot marks a layer that passes.

# %% mystnb={"figure": {"caption": "The compression test of every hidden layer: the seeds' mean drop of I(X;T) after fitting, in units of the estimator's floor (red: a fall, blue: a rise), under the paper's bins, 30 bins over each layer's range and Rényi; a dot marks a layer that passes (none here). The full table is below.", "name": "fig-depth-compression"}}
ch.compression()
plt.show()

# %%
ch.compression_table()

# %% [markdown]
# ## Fitting: loss, accuracy and output I(T;Y)

# %%
ch.fitting()

# %% mystnb={"figure": {"caption": "Training (dashed) and test (solid) loss and accuracy of the depth variants.", "name": "fig-depth-curves"}}
ch.curves()
plt.show()

# %% mystnb={"figure": {"caption": "Softmax-layer I(X;T) and I(T;Y) against epoch for every depth variant, paper's estimator; test solid, train dashed.", "name": "fig-depth-output-mi"}}
ch.output_mi()
plt.show()

# %% [markdown]
# ## Per-layer I(X;T) against epoch
#
# The shallowest and the deepest net shown, under the three estimators; a compression phase
# would be a curve that rises and then falls.

# %% mystnb={"figure": {"caption": "I(X;T) of every layer against epoch, shallowest and deepest net shown: paper's estimator, 30 bins, matrix-based Rényi (columns), test set.", "name": "fig-depth-ixt-epoch"}}
ch.layer_mi((ch.variants[0], ch.variants[-1]))
plt.show()

# %% [markdown]
# ## Training, frame by frame
#
# The deepest net shown, on the first dataset, under the Rényi estimator: drag the slider or
# press play (this works in the static book, without a kernel).

# %%
ch.animation(ch.variants[-1])

# %% [markdown]
# In Jupyter, the next cell opens an explorer of every run of this chapter (dataset,
# variant, seed, estimator, split, layers, epoch range); the static book leaves it out.

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
ch.longer("fig-depth-longer",
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

- **Depth helps on MNIST (little past six layers), not beyond two on Fashion-MNIST, and
  costs speed.** Final test accuracy and output I(T;Y) rise with depth on MNIST ({glue:text}`mnist_acc`
  and {glue:text}`mnist_ity` bits for 1, 2, 6, 9 layers) but not on Fashion-MNIST
  ({glue:text}`fashion_mnist_acc` and {glue:text}`fashion_mnist_ity` bits), where the 6-layer net
  overfits most (training minus test accuracy {glue:text}`fashion_mnist_gap`) and
  the 9-layer net has not fitted its training set after 200 epochs (training accuracy
  0.927-0.932 over its three seeds). Deeper nets are slower to reach 95% of their final accuracy on Fashion-MNIST
  (epochs {glue:text}`fashion_mnist_fast`); on MNIST the order is {glue:text}`mnist_fast`, but the
  five seeds of the 2-layer net alone span {glue:text}`mnist_d2_fast_range` epochs, so only "one layer is fastest" is firm there.
- **Under the paper's estimator every hidden layer is at the ceiling.** {glue:text}`sat_paper_bins` of the
  {glue:text}`sat_points` hidden-layer points sit at log2 N with bins 0.67 wide ({numref}`fig-depth-plane-paper`;
  the others are layers conv6-conv9 of the 9-layer net on Fashion-MNIST in epochs 0-6,
  within 0.28 bits of it, and all reach it later), so the
  chain I(X;T1) >= I(X;T2) >= ... that the data-processing inequality imposes holds only
  with equality, and no layer can show compression. Under the compression test, {glue:text}`paper_bins_test_pass` of {glue:text}`paper_bins_test_cells` hidden layers pass with the paper's bins and {glue:text}`range_bins_test_pass` with 30 bins.
- **The Rényi estimator sees the chain, and a small {term}`drift from initialisation`.** In the
  deep nets I(X;T) falls from layer to layer at epoch 200 (the data-processing inequality
  forbids the true quantity to rise from one layer to the next; it does not force a fall,
  and the matrix-based estimate is not bound by it) (9 layers on Fashion-MNIST, mean of three seeds: 1.46, 1.44, 1.43, 1.40, 1.39,
  1.37, 1.35, 1.31, 1.28 for conv1-conv9; {numref}`fig-depth-plane-renyi`). On MNIST,
  averaged over three seeds, conv3-conv6 of the 6-layer net end 0.04-0.05 below their
  value at initialisation; in the 9-layer net conv4-conv6 end 0.06 below it, more than the
  seeds' spread, and conv3 and conv7-conv9 0.02-0.04; on Fashion-MNIST the single conv
  layer of the 1-layer net ends 0.06 below it, conv2 of the 2-layer net 0.07 (five seeds
  each) and conv4 of the 9-layer net 0.06 (each more than its seeds' spread). The deep nets' layers also dip further in the first epochs and recover
  part of the way (9 layers on Fashion-MNIST: conv9 from 1.31 at initialisation to 1.06
  at epoch 2, 1.28 at epoch 200; 6 layers on MNIST: conv6 from 1.60 to 1.44 at epoch 3,
  1.55 at epoch 200). Every such fall starts at the first snapshot: a decrease from initialisation, not
  fitting followed by compression. After fitting no layer falls by more than
  {glue:text}`renyi_test_largest` (floor {glue:text}`renyi_test_floor`;
  {glue:text}`renyi_test_pass` of {glue:text}`renyi_test_cells` pass the compression
  test).
""")
