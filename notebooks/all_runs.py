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
# # All runs
#
# Every run the factor chapters show, one table per factor: network, seed, the epochs it was
# trained, its snapshots, its training time per epoch (measurements included), its final
# training and test accuracy and its output I(T;Y) under the paper's estimator. The runs live
# in `results/` as one JSON file each, with the provenance of every training session.

# %% tags=["parameters"]
profile = "book"  # "smoke" (CI, seconds), "book" (what the book shows), "paper" (10,000 epochs)
datasets = ["mnist", "fashion_mnist"]  # any of "mnist", "fashion_mnist"
epochs = 200  # training horizon; None uses the profile's (book: 1,000)
seeds = [0, 1, 2, 3, 4]  # None uses the profile's seeds (book: 0, 1, 2); with stored_seeds, 3 and 4 where stored
stored_seeds = True  # True: the first seed everywhere, the others only where already stored
split = "test"  # split the estimates are taken on: "train" or "test"
allow_training = False  # True: train runs not yet stored (CPU-hours); False: list them, stop
device = "cpu"  # "cuda" or "mps": train missing runs on a GPU (their results get keys of their own)

# %%
from ibutils.book import load_study, page_spec, table
from ibutils.book.tables import summary_table
from ibutils.labels import FACTOR_LABELS

spec = page_spec(device=device, profile=profile, datasets=datasets, epochs=epochs, seeds=seeds,
                 split=split, allow_training=allow_training, stored_seeds=stored_seeds)
chapters = load_study(spec)

# %% tags=["full-width"]
for factor, ch in chapters.items():
    display(table(summary_table(ch.results, ch.paper),  # noqa: F821 (IPython's display)
                  f"Every run of the {FACTOR_LABELS[factor]} chapter.", f"tab-all-runs-{factor}"))
