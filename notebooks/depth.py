# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Depth
#
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

# %% tags=["parameters"]
profile = "book"  # "smoke" (CI, seconds), "book" (what the book shows), "paper" (10,000 epochs)
datasets = ["mnist", "fashion_mnist"]  # any of "mnist", "fashion_mnist"
epochs = 200  # training horizon; None uses the profile's (book: 1,000)
seeds = [0, 1, 2]  # None uses the profile's seeds (book: 0, 1, 2)
stored_seeds = True  # True: the first seed everywhere, the others only where already stored
split = "test"  # split the estimates are shown for: "train" or "test"
bin_width = 0.67  # the paper's fixed bin width
n_bins = 30  # bins over each layer's observed range (Shwartz-Ziv & Tishby)
renyi_samples = 500  # inputs (seeded subsample) for the matrix-based Renyi estimator
allow_training = False  # True: train runs not yet stored (CPU-hours); False: list them, stop
device = "cpu"  # "cuda" or "mps": train missing runs on a GPU (their results get keys of their own)
variants = None  # None: all of "d1", "d2", "d6", "d9"; or a list of some
explorer = True  # False: skip building the live ipywidgets explorer (static builds)

# %%
import matplotlib.pyplot as plt

from ibutils.book import load_chapter, page_spec

spec = page_spec(device=device, profile=profile, datasets=datasets, epochs=epochs, seeds=seeds, split=split,
                 bin_width=bin_width, n_bins=n_bins, renyi_samples=renyi_samples,
                 allow_training=allow_training, stored_seeds=stored_seeds)
ch = load_chapter("depth", spec, variants=variants)
ch.glue()  # the numbers "What we found" quotes, computed from these runs
ch.header()

# %% [markdown]
# ## The information plane with the paper's estimator
#
# One row per dataset, one panel per depth. Markers are layers (the softmax output is always a star), colour is the epoch,
# a black ring marks a point at log2 N (saturated), and dotted lines are the ceilings log2 N
# and H(Y).

# %% mystnb={"figure": {"caption": "Information planes of the depth variants with the paper's estimator (bins 0.67 wide), test set.", "name": "fig-depth-plane-paper"}}
ch.planes(ch.paper)
plt.show()

# %%
ch.saturation()

# %% [markdown]
# ## Thirty bins, and a scale-aware estimator
#
# The same runs with 30 bins over each layer's range ({numref}`fig-depth-plane-30bins`)
# and with the matrix-based Rényi estimator ({numref}`fig-depth-plane-renyi`), whose values
# are kernel-scale summaries compared only with each other.

# %% mystnb={"figure": {"caption": "Information planes of the depth variants with 30 bins over each layer's observed range, test set.", "name": "fig-depth-plane-30bins"}}
ch.planes(ch.by_count)
plt.show()

# %% mystnb={"figure": {"caption": "Information planes of the depth variants under the matrix-based Renyi estimator (alpha = 1.01, seeded subsample), test set.", "name": "fig-depth-plane-renyi"}}
ch.planes(ch.renyi)
plt.show()

# %%
ch.compression()

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

# %% mystnb={"figure": {"caption": "I(X;T) of every layer against epoch, shallowest and deepest net shown: paper's estimator, 30 bins, matrix-based Renyi (columns), test set.", "name": "fig-depth-ixt-epoch"}}
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
# ## What we found
#
# Written for the `book` results committed with this chapter: the first 200 of the book
# profile's 1,000 epochs, both datasets, three seeds (0, 1, 2) of every net. The numbers
# quoted here are computed from the runs shown (`ibutils.book.facts.chapter_facts`); the
# sentences around them were written for the committed runs, so with other parameters read
# the tables above.
#
# - **Depth helps on MNIST (little past six layers), not beyond two on Fashion-MNIST, and
#   costs speed.** Final test accuracy and output I(T;Y) rise with depth on MNIST ({glue:text}`mnist_acc`
#   and {glue:text}`mnist_ity` bits for 1, 2, 6, 9 layers) but not on Fashion-MNIST
#   ({glue:text}`fashion_mnist_acc` and {glue:text}`fashion_mnist_ity` bits), where the 6-layer net
#   overfits most (training minus test accuracy {glue:text}`fashion_mnist_gap`) and
#   the 9-layer net has not fitted its training set after 200 epochs (training accuracy
#   0.927-0.932 over its three seeds). Deeper nets are slower to reach 95% of their final accuracy on Fashion-MNIST
#   (epochs {glue:text}`fashion_mnist_fast`); on MNIST the order is {glue:text}`mnist_fast`, but the
#   three seeds of the 2-layer net alone span {glue:text}`mnist_d2_fast_range` epochs, so only "one layer is fastest" is firm there.
# - **Every hidden layer is saturated under the paper's estimator.** {glue:text}`sat_paper_bins` of the
#   {glue:text}`sat_points` hidden-layer points sit at log2 N with bins 0.67 wide ({numref}`fig-depth-plane-paper`;
#   the others are layers conv6-conv9 of the 9-layer net on Fashion-MNIST in epochs 0-6,
#   within 0.28 bits of it, and all reach it later), so the
#   chain I(X;T1) >= I(X;T2) >= ... that the data-processing inequality imposes holds only
#   with equality, and no layer can show compression; hidden layers passing the test:
#   {glue:text}`paper_bins_pass` of {glue:text}`paper_bins_cells` under the paper's bins,
#   {glue:text}`range_bins_pass` under 30 bins.
# - **The Rényi estimator sees the chain, and a small drift from initialisation.** In the
#   deep nets I(X;T) falls from layer to layer at epoch 200 (the data-processing inequality
#   forbids the true quantity to rise from one layer to the next; it does not force a fall,
#   and the matrix-based estimate is not bound by it) (9 layers on Fashion-MNIST, mean of three seeds: 1.46, 1.44, 1.43, 1.40, 1.39,
#   1.38, 1.35, 1.31, 1.28 for conv1-conv9; {numref}`fig-depth-plane-renyi`). On MNIST,
#   averaged over three seeds, conv3-conv6 of the 6-layer net end 0.04-0.05 below their
#   value at initialisation and none passes the test (seed 0 alone had shown 0.06-0.07);
#   in the 9-layer net conv4-conv6 end 0.06 below it, more than the seeds' spread, and
#   conv3 and conv7-conv9 0.02-0.04 (with one seed, conv3-conv9 had ended 0.06-0.08 below
#   it); on Fashion-MNIST the single conv layer of the 1-layer net ends 0.08
#   below it and conv2 of the 2-layer net 0.05 (both more than their three seeds'
#   spread), and conv4 of the 9-layer net 0.06, more than its seeds' spread (with seed 0
#   alone conv4 and conv6 had ended 0.05 and 0.06 below it; over three seeds conv6 ends
#   0.03 below). The deep nets' layers also dip further in the first epochs and recover
#   part of the way (9 layers on Fashion-MNIST: conv9 from 1.31 at initialisation to 1.06
#   at epoch 2, 1.28 at epoch 200; 6 layers on MNIST: conv6 from 1.60 to 1.44 at epoch 3,
#   1.55 at epoch 200). Of the {glue:text}`renyi_pass` such
#   cells, {glue:text}`renyi_from_init` have no fitting phase before their peak, and all peak at
#   the first snapshot: a decrease from initialisation, not fitting followed
#   by compression.
