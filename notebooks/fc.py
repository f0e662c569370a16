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
# # Multiple fully connected layers

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
ch = load_chapter("fc", spec, gradients=True, long_epochs=long_epochs)
ch.glue()  # the numbers the text quotes, computed from these runs

# %%
key_findings(r"""
Three dense layers (500-1024-500) after the five conv layers leave the final
accuracy and output I(T;Y) where they are without them ({glue:text}`mnist_fc_ity` against
{glue:text}`mnist_no_fc_ity` bits on MNIST, {glue:text}`fashion_mnist_fc_ity` against
{glue:text}`fashion_mnist_no_fc_ity` on Fashion-MNIST), but the net fits faster (95% of the
final accuracy by epoch {glue:text}`mnist_fc_fast` against {glue:text}`mnist_no_fc_fast` on
MNIST) and overfits more on Fashion-MNIST (training minus test accuracy
{glue:text}`fashion_mnist_fc_gap` against {glue:text}`fashion_mnist_no_fc_gap`). No layer,
conv or dense, passes the {term}`compression test`: {glue:text}`paper_bins_test_pass` of
{glue:text}`paper_bins_test_cells` with the paper's bins and {glue:text}`renyi_test_pass` with
Rényi, whose largest mean drop after fitting ({glue:text}`renyi_test_largest`, in
{glue:text}`renyi_test_largest_where`) stays under its floor of
{glue:text}`renyi_test_floor`.
**After epoch 200.** {glue:text}`long_summary`
""")

# %% [markdown]
# **Question.** Li & Liu append three tanh dense layers (500, 1,024 and 500 units) to a stack
# of five conv layers of 3 filters (3x3) and compare it with the same conv stack feeding the
# softmax directly {cite}`li2021ib`. Dense tanh layers are the setting in which Shwartz-Ziv &
# Tishby {cite}`shwartzziv2017opening` first reported compression, so if the convolutional
# structure is what prevents it, these layers are where it should come back. As in the paper,
# this chapter also shows the weights' norms and the mean and spread of the gradients over
# the mini-batches of each snapshot epoch (Shwartz-Ziv & Tishby's "signal-to-noise" view).
#
# The conv stack without dense layers is the same configuration as the 5-layer k = 3 net of
# the [kernel chapter](kernel); both chapters show the same stored runs.

# %%
ch.header()

# %% [markdown]
# ## The answer in one figure
#
# Where every network's layers end after training, under the paper's estimator and under the
# scale-aware Rényi estimator. With the paper's bins every hidden layer sits at the same
# point, the ceiling; only the output moves. Rényi separates the layers; a layer that
# compressed would end left of the peak of its path (the planes below show whole paths).

# %% mystnb={"figure": {"caption": "Where every layer ends after 200 epochs (means of the seeds): each network is the chain of its layers from conv1 to the softmax output (star), under the paper's bins (left) and the Rényi estimator (right), one row per dataset; faint lines lead from each layer's place at initialisation. Dotted: the ceilings log2 N and H(Y).", "name": "fig-fc-headline"}}
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
ch.planes(ch.paper, "fig-fc-plane-paper",
          "Information planes of the FC variants with the paper's estimator (bins 0.67 wide), "
          "test set. One panel per network, its seeds together (thin lines: each seed; points: "
          "their mean, coloured by epoch).")

# %%
ch.saturation()

# %% [markdown]
# ## Thirty bins, and a scale-aware estimator
#
# The same runs with 30 bins over each layer's range ({numref}`fig-fc-plane-30bins`)
# and with the matrix-based Rényi estimator ({numref}`fig-fc-plane-renyi`), whose values
# are kernel-scale summaries compared only with each other.

# %%
ch.planes(ch.by_count, "fig-fc-plane-30bins",
          "Information planes of the FC variants with 30 bins over each layer's observed range, "
          "test set. One panel per network, its seeds together (thin lines: each seed; points: "
          "their mean, coloured by epoch).")

# %%
ch.planes(ch.renyi, "fig-fc-plane-renyi",
          "Information planes of the FC variants under the matrix-based Rényi estimator (alpha "
          "= 1.01, seeded subsample), test set. One panel per network, its seeds together (thin "
          "lines: each seed; points: their mean, coloured by epoch).")

# %% [markdown]
# ## Does any layer compress?
#
# The compression test of the [methods](methods), fixed before looking at the results: a
# layer compresses when its I(X;T) falls after the network has fitted (its output I(T;Y) has
# reached 95% of its rise), by more than a floor of 3% of the estimator's scale, consistently
# over the seeds (one-sided t-test, with the false discovery rate over the chapter's layers
# held at 5%). Each square is one layer of one configuration: red when I(X;T) fell after
# fitting (1 = the floor), blue when it rose; a dot marks a layer that passes.

# %% mystnb={"figure": {"caption": "The compression test of every hidden layer: the seeds' mean drop of I(X;T) after fitting, in units of the estimator's floor (red: a fall, blue: a rise), under the paper's bins, 30 bins over each layer's range and Rényi; a dot marks a layer that passes (none here). The full table is below.", "name": "fig-fc-compression"}}
ch.compression()
plt.show()

# %%
ch.compression_table()

# %% [markdown]
# ## Fitting: loss, accuracy and output I(T;Y)

# %%
ch.fitting()

# %% mystnb={"figure": {"caption": "Training (dashed) and test (solid) loss and accuracy of the FC variants.", "name": "fig-fc-curves"}}
ch.curves()
plt.show()

# %% mystnb={"figure": {"caption": "Softmax-layer I(X;T) and I(T;Y) against epoch for every FC variant, paper's estimator; test solid, train dashed.", "name": "fig-fc-output-mi"}}
ch.output_mi()
plt.show()

# %% [markdown]
# ## Per-layer I(X;T) against epoch
#
# Both nets under the three estimators; a compression phase would be a curve that rises
# and then falls.

# %% mystnb={"figure": {"caption": "I(X;T) of every layer against epoch (both nets): paper's estimator, 30 bins, matrix-based Rényi (columns), test set.", "name": "fig-fc-ixt-epoch"}}
ch.layer_mi(('fc', 'no-fc'))
plt.show()

# %% [markdown]
# ## Weights and gradients
#
# Shwartz-Ziv & Tishby {cite}`shwartzziv2017opening` tie compression to a change in the
# statistics of stochastic gradients: early on the mean gradient dominates its fluctuation
# across mini-batches (drift), later the fluctuation dominates (diffusion), and the weights'
# norms grow slowly as the diffusion phase adds noise. Here, for each snapshot, the gradient
# of every mini-batch of the next epoch is taken at the snapshot weights
# (`ibutils.train.gradient_stats`, see [methods](methods)): solid lines are the norm of the
# mean gradient, dashed the norm of its element-wise standard deviation across the 10
# mini-batches.

# %% mystnb={"figure": {"caption": "Norm of the mean (solid) and standard deviation (dashed) of each layer's weight gradient over the mini-batches of each snapshot epoch, with dense layers (left) and without (right); rows: datasets.", "name": "fig-fc-gradients"}}
ch.gradients("gradients")
plt.show()

# %%
ch.snr()

# %% mystnb={"figure": {"caption": "Frobenius norm of each layer's weights against epoch, with dense layers (left) and without (right); rows: datasets.", "name": "fig-fc-weight-norms"}}
ch.gradients("weights")
plt.show()

# %% [markdown]
# ## Training, frame by frame
#
# The net with dense layers on the first dataset under the Rényi estimator: drag the slider or press play (this works in the
# static book, without a kernel).

# %%
ch.animation('fc')

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
ch.longer("fig-fc-longer",
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

- **Dense layers fit faster and overfit sooner, and end where the net without them
  does.** With the three dense
  layers the net reaches 95% of its final test accuracy by epoch {glue:text}`mnist_fc_fast`
  (MNIST) and {glue:text}`fashion_mnist_fc_fast` (Fashion-MNIST), against
  {glue:text}`mnist_no_fc_fast` and {glue:text}`fashion_mnist_no_fc_fast` without them; but its
  test loss is lowest at epoch {glue:text}`mnist_fc_min_loss`
  ({glue:text}`fashion_mnist_fc_min_loss`) and then climbs to {glue:text}`mnist_fc_loss`
  ({glue:text}`fashion_mnist_fc_loss`), against a minimum at epoch
  {glue:text}`mnist_no_fc_min_loss` ({glue:text}`fashion_mnist_no_fc_min_loss`) and
  {glue:text}`mnist_no_fc_loss` ({glue:text}`fashion_mnist_no_fc_loss`) without. Final test
  accuracy and output I(T;Y): {glue:text}`mnist_fc_acc` and {glue:text}`mnist_fc_ity` bits with
  dense layers, {glue:text}`mnist_no_fc_acc` and {glue:text}`mnist_no_fc_ity` without (MNIST);
  {glue:text}`fashion_mnist_fc_acc` and {glue:text}`fashion_mnist_fc_ity` against
  {glue:text}`fashion_mnist_no_fc_acc` and {glue:text}`fashion_mnist_no_fc_ity`
  (Fashion-MNIST). Over its three seeds its final accuracy spans 0.960-0.969 (MNIST) and 0.827-0.848
  (Fashion-MNIST), around that of the net without dense layers (0.963-0.969 over five seeds
  and 0.839-0.843 over three), so only speed and overfitting separate the two. At about the same
  accuracy its Fashion-MNIST test loss ends twice as high, a sign that its errors are
  confident ones.
- **The paper's estimator sees nothing in the dense layers either.** Of the {glue:text}`sat_points`
  hidden-layer points, conv and dense alike, {glue:text}`sat_paper_bins` sit at log2 N = 13.29
  bits with bins 0.67 wide ({numref}`fig-fc-plane-paper`), and {glue:text}`sat_range_bins`
  with 30 bins: even a 500-unit tanh layer gives every test image its own pattern. Under the compression test, {glue:text}`paper_bins_test_pass` of {glue:text}`paper_bins_test_cells` hidden layers pass with the paper's bins and {glue:text}`range_bins_test_pass` with 30 bins. The softmax output
  "compresses" under 30 bins (by 6.3-9.4 bits from epoch 0) for the reason given in the
  [width chapter](width): 30 bins over the narrow range of the outputs at initialisation.
- **Under the Rényi estimator the dense layers {term}`dip` early and recover, the reverse of the IB
  story.** Their I(X;T) falls within the first 1-8 epochs (means of three seeds; MNIST
  dense3: 1.47 at initialisation to 1.08 at epoch 2; Fashion-MNIST dense3: 1.23 to 0.97
  at epoch 1) and then climbs back part of the way (to 1.23 and 1.20 at epoch 200). On MNIST dense2 and dense3 end 0.14 and 0.25 below their value at initialisation,
  their peak: a decrease from the random initialisation followed by a partial rise, not a
  fitting phase followed by compression. After fitting, the largest fall is
  {glue:text}`renyi_test_largest` ({glue:text}`renyi_test_largest_where`), under the
  compression test's floor of {glue:text}`renyi_test_floor`. On Fashion-MNIST dense1 and
  dense2 climb back above their initial value and dense3 ends 0.03 below it. The conv layers of the dense net do
  not fall at all: they end 0.00-0.04 above their value at initialisation on MNIST and
  0.03-0.15 above it on Fashion-MNIST. Those of the net without dense layers dip early, by
  up to 0.12 (MNIST, epoch 4) and 0.16 (Fashion-MNIST, epoch 3), recover most of it and
  end 0.01-0.06 below their start.
- **Drift gives way to diffusion, but not in one clean step, and no compression
  follows.** In every layer of both nets the gradient signal-to-noise ratio starts at 3-10
  and first falls below 1 within epochs 4-14 (seed means; {numref}`fig-fc-gradients`),
  the transition Shwartz-Ziv & Tishby associate with the start of compression. The
  exception is the dense net on Fashion-MNIST: there the ratio of each seed swings
  between about 0.2 and 5.5 from snapshot to snapshot until the net has fitted its training
  set (training accuracy 1.0 by epoch 63-99, depending on the seed), and the dense
  layers' seed-mean ratio first stays below 1 at epoch 79. At epoch 200 the dense net's
  ratio is below 1 in every layer (0.13-0.88); without the dense layers the conv layers'
  ratio ends near or above 1 (0.83-1.06 on MNIST, 1.54-1.89 on Fashion-MNIST). Once the
  dense net has fitted its training set (from about epoch 30 on MNIST), the mean and the
  spread of its gradients fall by two to three orders of magnitude (MNIST conv1: norm of
  the mean gradient 2.1e-2 at epoch 29, 6.5e-5 at epoch 200). Every seed follows
  this pattern.
""")
