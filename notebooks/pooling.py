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
# # Pooling

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
explorer = True  # False: skip building the live ipywidgets explorer (static builds)

# %%
import matplotlib.pyplot as plt

from ibutils.book import key_findings, load_chapter, page_spec, prose

spec = page_spec(device=device, profile=profile, datasets=datasets, epochs=epochs, seeds=seeds, split=split,
                 bin_width=bin_width, n_bins=n_bins, renyi_samples=renyi_samples,
                 allow_training=allow_training, stored_seeds=stored_seeds)
ch = load_chapter("pooling", spec, long_epochs=long_epochs)
ch.glue()  # the numbers the text quotes, computed from these runs

# %%
key_findings(r"""
Max-pooling after the second layer raises the test accuracy and output I(T;Y) on
both datasets ({glue:text}`mnist_no_pool_ity` to {glue:text}`mnist_pool_ity` bits on MNIST,
{glue:text}`fashion_mnist_no_pool_ity` to {glue:text}`fashion_mnist_pool_ity` on
Fashion-MNIST) and narrows the gap between training and test accuracy on Fashion-MNIST
({glue:text}`fashion_mnist_no_pool_gap` to {glue:text}`fashion_mnist_pool_gap`). The paper's
bins cannot see the pool: {glue:text}`sat_paper_bins_pct` of the hidden-layer points sit at
the {term}`ceiling` log2 N. No layer passes the {term}`compression test` under any of the three estimators
({glue:text}`paper_bins_test_pass`, {glue:text}`range_bins_test_pass` and
{glue:text}`renyi_test_pass` of {glue:text}`renyi_test_cells` hidden layers).
**After epoch 200.** {glue:text}`long_summary`
""")

# %% [markdown]
# **Question.** Li & Liu compare three conv layers of 12 filters (3x3) without pooling and
# with one 2x2 max-pool after the second conv {cite}`li2021ib`, and report no compression
# phase in either. Pooling is the one operation in these nets that discards information by
# construction (four values become one), so it is where a drop of I(X;T) between layers is
# expected; whether it appears *across training* is the question. This chapter reruns both
# nets on MNIST and Fashion-MNIST with the paper's estimator, 30 bins over each layer's
# range, and the matrix-based Rényi estimator of the [estimators chapter](estimators).
#
# The pool is not a measured layer: `conv3` of the pooled net sees the pooled map, so its
# output is 12 x 12 x 12 = 1,728 units against 24 x 24 x 12 = 6,912 without pooling.

# %%
ch.header()

# %% [markdown]
# ## The answer in one figure
#
# Where every network's layers end after training, under the paper's estimator and under the
# scale-aware Rényi estimator. With the paper's bins every hidden layer sits at the same
# point, the ceiling; only the output moves. Rényi separates the layers; a layer that
# compressed would end left of the peak of its path (the planes below show whole paths).

# %% mystnb={"figure": {"caption": "Where every layer ends after 200 epochs (means of the seeds): each network is the chain of its layers from conv1 to the softmax output (star), under the paper's bins (left) and the Rényi estimator (right), one row per dataset; faint lines lead from each layer's place at initialisation. Dotted: the ceilings log2 N and H(Y).", "name": "fig-pooling-headline"}}
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
ch.planes(ch.paper, "fig-pooling-plane-paper",
          "Information planes of the pooling variants with the paper's estimator (bins 0.67 "
          "wide), test set. One panel per network, its seeds together (thin lines: each seed; "
          "points: their mean, coloured by epoch).")

# %%
ch.saturation()

# %% [markdown]
# ## Thirty bins, and a scale-aware estimator
#
# The same runs with 30 bins over each layer's range ({numref}`fig-pooling-plane-30bins`)
# and with the matrix-based Rényi estimator ({numref}`fig-pooling-plane-renyi`), whose values
# are kernel-scale summaries compared only with each other.

# %%
ch.planes(ch.by_count, "fig-pooling-plane-30bins",
          "Information planes of the pooling variants with 30 bins over each layer's observed "
          "range, test set. One panel per network, its seeds together (thin lines: each seed; "
          "points: their mean, coloured by epoch).")

# %%
ch.planes(ch.renyi, "fig-pooling-plane-renyi",
          "Information planes of the pooling variants under the matrix-based Rényi estimator "
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

# %% mystnb={"figure": {"caption": "The compression test of every hidden layer: the seeds' mean drop of I(X;T) after fitting, in units of the estimator's floor (red: a fall, blue: a rise), under the paper's bins, 30 bins over each layer's range and Rényi; a dot marks a layer that passes (none here). The full table is below.", "name": "fig-pooling-compression"}}
ch.compression()
plt.show()

# %%
ch.compression_table()

# %% [markdown]
# ## Fitting: loss, accuracy and output I(T;Y)

# %%
ch.fitting()

# %% mystnb={"figure": {"caption": "Training (dashed) and test (solid) loss and accuracy of the pooling variants.", "name": "fig-pooling-curves"}}
ch.curves()
plt.show()

# %% mystnb={"figure": {"caption": "Softmax-layer I(X;T) and I(T;Y) against epoch for every pooling variant, paper's estimator; test solid, train dashed.", "name": "fig-pooling-output-mi"}}
ch.output_mi()
plt.show()

# %% [markdown]
# ## Per-layer I(X;T) against epoch
#
# Both nets under the three estimators; a compression phase would be a curve that rises
# and then falls.

# %% mystnb={"figure": {"caption": "I(X;T) of every layer against epoch (both nets): paper's estimator, 30 bins, matrix-based Rényi (columns), test set.", "name": "fig-pooling-ixt-epoch"}}
ch.layer_mi(('no-pool', 'pool'))
plt.show()

# %% [markdown]
# ## Training, frame by frame
#
# The pooled net on the first dataset under the Rényi estimator: drag the slider or press play (this works in the
# static book, without a kernel).

# %%
ch.animation('pool')

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
ch.longer("fig-pooling-longer",
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

- **Pooling generalises better and overfits later.** With the max-pool the net ends with
  the higher test accuracy and output I(T;Y) (MNIST {glue:text}`mnist_pool_acc` and {glue:text}`mnist_pool_ity` bits against
  {glue:text}`mnist_no_pool_acc` and {glue:text}`mnist_no_pool_ity`; Fashion-MNIST
  {glue:text}`fashion_mnist_pool_acc` and {glue:text}`fashion_mnist_pool_ity` against
  {glue:text}`fashion_mnist_no_pool_acc` and {glue:text}`fashion_mnist_no_pool_ity`), its test
  loss is lowest later (epoch {glue:text}`mnist_pool_min_loss` against
  {glue:text}`mnist_no_pool_min_loss` on MNIST, {glue:text}`fashion_mnist_pool_min_loss`
  against {glue:text}`fashion_mnist_no_pool_min_loss` on Fashion-MNIST) and ends lower
  ({glue:text}`mnist_pool_loss` against {glue:text}`mnist_no_pool_loss`;
  {glue:text}`fashion_mnist_pool_loss` against {glue:text}`fashion_mnist_no_pool_loss`). It fits
  more slowly on Fashion-MNIST and about as fast on MNIST: 95% of its final test accuracy
  by epoch {glue:text}`fashion_mnist_pool_fast` against
  {glue:text}`fashion_mnist_no_pool_fast` (Fashion-MNIST) and {glue:text}`mnist_pool_fast`
  against {glue:text}`mnist_no_pool_fast` on MNIST, where the seeds overlap
  ({glue:text}`mnist_pool_fast_range` against {glue:text}`mnist_no_pool_fast_range` epochs)
  ({numref}`fig-pooling-curves`).
- **The paper's estimator cannot see the pool.** Of the {glue:text}`sat_points` hidden-layer points of
  both nets, {glue:text}`sat_paper_bins` sit at log2 N with bins 0.67 wide (and
  {glue:text}`sat_range_bins` with 30 bins; {numref}`fig-pooling-plane-paper`), including the third conv layer of
  the pooled net, which sees a map four times smaller: 1,728 tanh units still give every
  test image its own pattern. Under the compression test, {glue:text}`paper_bins_test_pass` of {glue:text}`paper_bins_test_cells` hidden layers pass with the paper's bins and {glue:text}`range_bins_test_pass` with 30 bins.
- **Under the Rényi estimator the pool shows, across layers and across training.** In the
  pooled net I(X;T) falls from layer to layer and over training: at epoch 200 conv3 sits at
  1.55 (MNIST) and 1.35 (Fashion-MNIST), means of three seeds, against 1.62 and 1.45
  without pooling (means of five and three seeds), and conv3 falls from initialisation by 0.06 on MNIST and 0.09
  on Fashion-MNIST, more than its seeds' spread (0.02 on both), with peaks at epoch 0:
  a fall from initialisation, not after fitting (after fitting no layer falls by more than
  {glue:text}`renyi_test_largest`, under the compression test's floor of
  {glue:text}`renyi_test_floor`). On Fashion-MNIST conv2 falls by 0.04 too. Without the pool the conv layers end within 0.03 of their initial values, after
  an early dip like the pooled net's (their conv3: 0.12 on MNIST and 0.15 on
  Fashion-MNIST, at epochs 2-3), ({numref}`fig-pooling-plane-renyi`). The information discarded by the
  pool is visible to a scale-aware estimator and invisible to the paper's; neither shows a
  fitting phase followed by compression.
""")
