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
# # The paper's horizon: 10,000 epochs
#
# Every other chapter shows the first 200 epochs of the `book` profile. Li & Liu trained
# for 10,000 epochs and recorded 36 snapshots, most of them after epoch 200
# ({cite}`li2021ib`; the exact setup, read from their code, is in the [methods](methods)
# chapter). This chapter trains some of their nets for the full 10,000 epochs on MNIST
# (the `paper` profile) and sets our numbers beside what their released result files show.
#
# **One net per factor, one seed.** A 10,000-epoch run of a net with 1 or 3 filters per
# layer takes about an hour on one core here; the 12-filter pooling pair and the net with
# dense layers take 8-16 hours each. So this chapter trains one net of each of the paper's
# five factors (both nets of the pooling and dense-layer comparisons), seed 0, on MNIST; the
# header below names the runs stored so far and any still training. The
# [verdict](verdict) judges the paper's claims on the 200-epoch runs of the whole grid, and
# this chapter asks whether the long horizon changes any of it.

# %% tags=["parameters"]
profile = "paper"  # "smoke" (CI, seconds), "book", "paper" (10,000 epochs, the paper's snapshots)
datasets = ["mnist"]  # any of "mnist", "fashion_mnist"
epochs = None  # training horizon; None uses the profile's (paper: 10,000)
seeds = None  # None uses the profile's seeds (paper: 0)
picks = {"width": ["w1"], "kernel": ["2conv-k3"], "depth": ["d1"], "pooling": ["no-pool", "pool"],
         "fc": ["no-fc", "fc"]}  # factor -> variants shown (without training: those stored)
split = "test"  # split the estimates are taken on: "train" or "test"
bin_width = 0.67  # the paper's fixed bin width
n_bins = 30  # bins over each layer's observed range (Shwartz-Ziv & Tishby)
renyi_samples = 500  # inputs (seeded subsample) for the matrix-based Rényi estimator
allow_training = False  # True: train runs not yet stored (CPU-hours); False: list them, stop
device = "cpu"  # "cuda" or "mps": train missing runs on a GPU (their results get keys of their own)
shorter_profile = "book"  # the same runs stored under this profile are compared (or None)
shorter_epochs = 200  # ... at this horizon
fidelity_profile = "book"  # the stored runs set beside the authors' released values
fidelity_epochs = 200  # ... at this horizon
fidelity_seeds = [0, 1, 2, 3, 4]  # ... these seeds (only those stored are used; nothing is trained)

# %%
import matplotlib.pyplot as plt

from ibutils import plots
from ibutils.analysis.fidelity import fidelity_summary, matched_values
from ibutils.book import glue, key_findings, load_reproduction, load_stored, page_spec, prose, table
from ibutils.book.reproduction_facts import fidelity_facts
from ibutils.book.tables import fidelity_table

spec = page_spec(device=device, profile=profile, datasets=datasets, epochs=epochs, seeds=seeds, split=split,
                 bin_width=bin_width, n_bins=n_bins, renyi_samples=renyi_samples,
                 allow_training=allow_training)
rp = load_reproduction(picks, spec, shorter_profile=shorter_profile,
                       shorter_epochs=shorter_epochs)
fidelity_spec = page_spec(device=device, profile=fidelity_profile, epochs=fidelity_epochs,
                          seeds=fidelity_seeds, split=split, allow_training=False)
matched = matched_values(load_stored(fidelity_spec))  # ours beside the released values
glue(fidelity_facts(matched))
rp.glue()

# %%
key_findings(r"""
Our runs reproduce the values Li & Liu released: over {glue:text}`fid_values` matched values
of {glue:text}`fid_runs` of their runs, the output layer's I(T;Y) differs from theirs by
{glue:text}`fid_test_output_ity_mean` bits on average on the test set and
{glue:text}`fid_train_output_ity_mean` on the training set, about as much as our own seeds
differ ({glue:text}`fid_test_output_seed_range` bits). Their training-set hidden layers sit at
{glue:text}`fid_train_ceiling_theirs` bits instead of log2 10,000 =
{glue:text}`fid_train_ceiling_ours` because their training list repeats images.

Over the paper's full {glue:text}`rep_epochs` epochs ({glue:text}`rep_nets` nets so far), no
hidden layer compresses under the paper's bins: {glue:text}`rep_at_log2n` hidden-layer
points sit at the ceiling log2 N, and the largest fall of a hidden layer is
{glue:text}`rep_hidden_fall` bits. Under Rényi, {glue:text}`rep_renyi_dipped` hidden layers
dip in the first epochs ({glue:text}`rep_renyi_dip_epochs`) and {glue:text}`rep_renyi_back`
of those climb back by at least half. The long horizon is mostly overfitting: the test loss
is lowest near epoch {glue:text}`rep_min_loss_epochs` and ends
{glue:text}`rep_loss_ratio` times higher.
""")

# %%
rp.header()

# %% [markdown]
# ## How close are we to the numbers the authors released?
#
# Li & Liu released, with their code, the binned I(X;T) and I(T;Y) of every layer of every
# run at each of their 36 snapshots, on the training set and on the test set
# (`ibutils.reference`, regenerated from their repository by `tools/li_liu_released.py`).
# Their reporter wrote after each epoch, so their snapshot "e" is the net after e + 1
# epochs; ours count completed epochs. Every released value whose network, dataset, set and
# epoch we also stored is set beside the mean of our seeds below: the 200-epoch runs of the
# factor chapters, matched at the epochs both schedules share.

# %% tags=["full-width"]
table(fidelity_table(fidelity_summary(matched)),
      "Our runs against the values Li & Liu released, at matched epochs: mean and largest "
      "absolute difference (bits), per set and kind of layer, and the median range of our "
      "seeds' output I(T;Y) for scale.", "tab-reproduction-fidelity")

# %% [markdown]
# The same differences per factor of the paper:

# %% tags=["full-width"]
table(fidelity_table(fidelity_summary(matched, by=("factor", "split", "kind"))),
      "Our runs against the released values, per factor, set and kind of layer (the 6-filter "
      "six-layer net counts in width, the five-layer k = 3 stack in kernel size).",
      "tab-reproduction-fidelity-factors")

# %% mystnb={"figure": {"caption": "The output layer of every network, both datasets and every matched epoch: our value (mean of the seeds; bar: their range) against Li & Liu's released one, test set (left) and training set (right). Dotted: identity.", "name": "fig-reproduction-fidelity"}}
fig, axes = plt.subplots(1, 2, figsize=(7, 3.4), constrained_layout=True)
for ax, which in zip(axes, ("test", "train")):
    plots.fidelity_scatter([r for r in matched if r["kind"] == "output" and r["split"] == which],
                           "ity", ax=ax, title=f"{which} set")
plt.show()

# %% mystnb={"figure": {"caption": "Li & Liu's released output I(T;Y) (black dots) over our seeds' band and mean, test set, the four widths.", "name": "fig-reproduction-fidelity-curves"}}
plots.fidelity_curves(matched, ["w1", "w3", "w6", "w12"])
plt.show()

# %%
prose(r"""
Over {glue:text}`fid_values` matched values from {glue:text}`fid_runs` of their runs (at
epochs {glue:text}`fid_epochs`), the output layer's I(T;Y) differs from theirs by
{glue:text}`fid_test_output_ity_mean` bits on average on the test set and
{glue:text}`fid_train_output_ity_mean` on the training set; at epoch
{glue:text}`fid_test_final_epoch` by {glue:text}`fid_test_final_ity_mean` (largest
{glue:text}`fid_test_final_ity_max`). Our own seeds span {glue:text}`fid_test_output_seed_range`
bits (median), so most differences are as large as a change of seed. The largest
differences sit at the first epochs, where a single epoch moves the output most.

**Their training set repeats images.** Every hidden layer of every one of their
training-set runs sits at {glue:text}`fid_train_ceiling_theirs` bits, on both datasets,
where ours sit at {glue:text}`fid_train_ceiling_ours` = log2 10,000: binned I(X;T) of a
hidden layer reaches the entropy of the inputs, which is log2 N only when the N images
are distinct. Their H(Y) is log2 10 on MNIST but 3.3209 bits on Fashion-MNIST. The
`choice` file they released cannot be the list behind these numbers: it holds 10,000
distinct indices (entropy 13.2877 bits on both datasets) whose MNIST labels are not
balanced (H(Y) = 3.3187). Drawing 1,000 images per MNIST class *with replacement*
(numpy's default) from the whole class and reusing the indices for Fashion-MNIST gives
an input entropy of 13.126 +- 0.005 bits and a Fashion-MNIST H(Y) of 3.3213 +- 0.0003
(300 draws), within two standard deviations of both of their values and with MNIST
H(Y) = log2 10 exactly; drawing from only the first 1,070 images of each class gives
12.51 bits and is ruled out (`tools/li_liu_train_split.py` computes all of this from
their file). So their training set very likely held about 9,200 distinct images, some
twice, with Fashion-MNIST classes slightly unbalanced. Ours is a seeded draw of 1,000
distinct images per class of each dataset, so our training-set ceiling is log2 10,000
and both our label distributions are uniform; the 0.15-bit gap in the hidden layers'
training-set I(X;T) is this difference and nothing else.

**Their 36 snapshots in our convention.** The `paper` profile records at epochs 0, 2, 4,
..., 9999: their file's keys, so each of our `paper` snapshots is one epoch earlier than
theirs (their "199" is our 200). The matched comparison above therefore uses the `book`
profile's runs, whose log-spaced schedule shares epochs 1, 3, 5, 20, 25, 40, 50, 100 and
200 with theirs.
""")

# %% [markdown]
# ## Against the paper's summary numbers
#
# The paper's result files (read in `PAPER.md` beside this project) show every hidden
# layer at I(X;T) = log2 N = 13.29 bits and I(T;Y) = H(Y) = 3.32 bits at every snapshot, the
# softmax output's binned I(X;T) capped near log2 11 = 3.46 bits, and a final test-set
# output I(T;Y) for each width (about 2.5 bits for one filter per layer on MNIST). The table
# counts the same things in our runs, with the paper's estimator (bins 0.67 wide) on the
# test set. The last column shows where the test loss was lowest and where it ends.

# %% tags=["full-width"]
rp.against_paper()

# %% [markdown]
# ## The information plane over 10,000 epochs
#
# As in the factor chapters: one panel per net, one marker shape per layer, colour the
# epoch (here up to 10,000), dotted lines the ceilings log2 N and H(Y).

# %% mystnb={"figure": {"caption": "Information planes over the paper's 10,000 epochs, binning with bins 0.67 wide as in the paper, test set.", "name": "fig-reproduction-plane-paper"}}
_ = rp.plane_figures(rp.paper)
plt.show()

# %% mystnb={"figure": {"caption": "The same runs under the matrix-based R\u00e9nyi estimator (alpha = 1.01, seeded subsample of 500 test inputs).", "name": "fig-reproduction-plane-renyi"}}
_ = rp.plane_figures(rp.renyi)
plt.show()

# %% [markdown]
# ## Does any layer compress in 10,000 epochs?
#
# The calibrated compression test of the factor chapters compares each seed's fall with the
# other seeds, so it needs several seeds; these runs have one. What one run can show is
# each layer's fall of I(X;T) from its peak to the last snapshot, and the epoch of the peak:
# a fall after the net has fit would be the paper's compression phase, a fall from a peak at
# initialisation is not. A fall counts here when it exceeds 0.05 (bits, or Rényi's units:
# about 3% of its scale, the share the calibrated test's floor takes).

# %%
rp.compression()

# %% mystnb={"figure": {"caption": "Every layer's I(X;T) against epoch (log axis) under the three estimators, 10,000 epochs.", "name": "fig-reproduction-layer-mi"}}
rp.layer_mi(rp.variants)
plt.show()

# %% [markdown]
# ## Fitting and overfitting
#
# The softmax output's I(T;Y), and the loss and accuracy, over the whole horizon.

# %% mystnb={"figure": {"caption": "Softmax-layer I(X;T) and I(T;Y) against epoch over 10,000 epochs, paper's estimator; dashed: train set.", "name": "fig-reproduction-output-mi"}}
rp.output_mi()
plt.show()

# %% mystnb={"figure": {"caption": "Training (dashed) and test (solid) loss and accuracy over 10,000 epochs.", "name": "fig-reproduction-curves"}}
rp.curves()
plt.show()

# %%
rp.fitting()

# %% [markdown]
# Where each net is best and what the long horizon does to it, and how its layers move
# under Rényi:

# %% tags=["full-width"]
table(rp.long_horizon(), "Per net over 10,000 epochs: the lowest test loss (its snapshot) and "
      "the final one; test accuracy there and at the end (the best, and when); the output's "
      "I(T;Y) there and at the end; the output's binned I(X;T) fall after its peak; under "
      "Rényi, the hidden layer with the deepest early dip and every hidden layer that ends "
      "more than 0.05 below a peak (the peak's epoch); and the output's Rényi I(X;T).",
      "tab-reproduction-long")

# %% [markdown]
# ## The first 200 epochs agree with the book's runs
#
# The `book` profile trains the same nets on the same data with the same seeds, only with
# another snapshot schedule, so on the epochs both record the two runs should agree up to
# floating-point reordering. The 1- and 3-filter nets of the `paper` runs were trained with
# the direct convolutions of `ibutils.fastconv`, while their `book` runs used PyTorch's
# (see the [methods](methods)), so this is also a check of those kernels on a whole
# training run.

# %% tags=["full-width"]
rp.agreement()

# %% [markdown]
# ## What we found

# %%
prose(r"""
Computed from the runs this page shows ({glue:text}`rep_nets_list`; seed 0, MNIST,
{glue:text}`rep_epochs` epochs). {glue:text}`rep_missing`

- **Every number the paper's files show, we reproduce.** Under the paper's estimator
  {glue:text}`rep_at_log2n` hidden-layer points (layers x snapshots) sit at I(X;T) = log2 N
  and {glue:text}`rep_at_hy` at I(T;Y) = H(Y), as in the authors' files; the softmax
  output's I(X;T) never exceeds {glue:text}`rep_softmax_ixt_max` bits (the paper: capped near
  log2 11 = 3.46). Of the final test I(T;Y) values the paper reports, these runs cover:
  {glue:text}`rep_paper_ity`.
- **The long horizon is mostly overfitting.** The test loss is lowest at the snapshot of
  epoch {glue:text}`rep_min_loss_epochs` (the schedule records nothing between
  {glue:text}`rep_min_loss_between`; lowest values {glue:text}`rep_min_loss`) and ends
  {glue:text}`rep_loss_ratio` times higher at epoch 10,000 ({glue:text}`rep_loss`), while
  training accuracy reaches at least {glue:text}`rep_train_acc`
  ({numref}`fig-reproduction-curves`, {numref}`tab-reproduction-long`).
  {glue:text}`rep_acc_lost` nets also lose more than 0.01 test accuracy after that point:
  {glue:text}`rep_acc_lost_where`. The others keep or even gain accuracy while their loss
  rises: they grow more confident on the inputs they get wrong. Where the paper gives a
  number, compare it with ours at the end and at the lowest test loss (first bullet): its
  values are those of nets trained far past their best test loss. The paper notes strong
  overfitting on Fashion-MNIST; in the loss, these nets overfit on MNIST too, and the
  book's 200-epoch horizon ends near their best test loss.
- **Under the paper's estimator nothing can compress, over 10,000 epochs as over 200.** The
  largest fall of a hidden layer is {glue:text}`rep_hidden_fall` bits (they sit at log2 N
  throughout). The softmax output's I(X;T) falls by {glue:text}`rep_softmax_fall` bits after
  its peak (epochs {glue:text}`rep_softmax_peaks`): with one seed that cannot be told from
  seed-to-seed variation, and it is the output layer, whose I(X;T) the 0.67-wide bins cap at
  a few patterns.
- **Under Rényi, early dips that reverse, and an output that keeps shrinking**
  ({numref}`fig-reproduction-layer-mi`). {glue:text}`rep_renyi_dipped` hidden layers dip
  more than 0.05 below their value at initialisation, lowest at epochs
  {glue:text}`rep_renyi_dip_epochs`; {glue:text}`rep_renyi_back` of those climb back by at
  least half the dip by the end, and {glue:text}`rep_renyi_near_start` hidden layers end
  within 0.05 of where they started. {glue:text}`rep_renyi_fell` hidden layers end more
  than 0.05 below a peak (falls of {glue:text}`rep_renyi_fell_drops` from peaks at epochs
  {glue:text}`rep_renyi_fell_peaks`). {glue:text}`rep_renyi_fell_after` The softmax output
  is highest at initialisation in {glue:text}`rep_renyi_softmax_peak0` nets and falls over
  the whole horizon: from {glue:text}`rep_renyi_softmax_first` to
  {glue:text}`rep_renyi_softmax_last` under Rényi, and from
  {glue:text}`rep_count_softmax_first` to {glue:text}`rep_count_softmax_last` bits under 30
  bins over its range. With no fitting rise before it, it is not the two-phase picture of
  the IB theory either; as the nets overfit, their output probabilities move towards
  one-hot vectors, and both estimators read that as a shrinking output representation.
- **The first 200 epochs match the book's runs of the same seeds** (the last table). On
  the {glue:text}`rep_agree_snapshots` snapshots both record, the largest differences are
  {glue:text}`rep_agree_acc` in test accuracy, {glue:text}`rep_agree_loss` in test loss,
  {glue:text}`rep_agree_binned` bits in the binned estimates and
  {glue:text}`rep_agree_renyi` in the Rényi estimates, whichever convolutions trained each run (the direct kernels
  of `ibutils.fastconv` for the narrow nets, PyTorch's for the others; see the
  [methods](methods)).
""")
