"""The paper's data split, read from real files; and the errors for missing or damaged ones."""
import shutil

import numpy as np
import pytest
import torch

from ibutils.data import DataError, load_dataset

from .conftest import needs_data


@needs_data
@pytest.mark.parametrize("name", ["mnist", "fashion_mnist"])
def test_paper_split(name):
    train, test = load_dataset(name)
    assert train.x.shape == (10_000, 1, 28, 28) and test.x.shape == (10_000, 1, 28, 28)
    assert train.x.dtype == torch.float32 and train.y.dtype == torch.int64
    assert np.bincount(train.y.numpy()).tolist() == [1000] * 10  # class balanced
    assert float(train.x.min()) == 0.0 and float(train.x.max()) == 1.0
    assert float(test.x.min()) == 0.0 and float(test.x.max()) == 1.0
    # pixels are k / 255 exactly
    k = train.x[:50] * 255
    assert torch.equal(k, k.round())


@needs_data
def test_split_is_seeded_and_subsets_official_order():
    a, _ = load_dataset("mnist", train_per_class=20, test_per_class=5, seed=1)
    b, _ = load_dataset("mnist", train_per_class=20, test_per_class=5, seed=1)
    c, _ = load_dataset("mnist", train_per_class=20, test_per_class=5, seed=2)
    assert torch.equal(a.x, b.x) and not torch.equal(a.x, c.x)
    assert np.bincount(a.y.numpy()).tolist() == [20] * 10


def test_unknown_dataset_named():
    with pytest.raises(ValueError, match=r"dataset: got 'cifar', allowed \('mnist', 'fashion_mnist'\)"):
        load_dataset("cifar")


@pytest.mark.parametrize("value", [0, -5, 2.5])
def test_bad_subset_sizes_named(value):
    with pytest.raises(ValueError, match="train_per_class"):
        load_dataset("mnist", train_per_class=value)


def _no_network(monkeypatch):
    import torchvision
    for cls in (torchvision.datasets.MNIST, torchvision.datasets.FashionMNIST):
        monkeypatch.setattr(cls, "mirrors", ["http://127.0.0.1:9/"])


def test_missing_files_give_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("IBUTILS_DATA", str(tmp_path))
    _no_network(monkeypatch)
    with pytest.raises(DataError) as err:
        load_dataset("fashion_mnist")
    msg = str(err.value)
    assert "IBUTILS_DATA" in msg and "FashionMNIST" in msg and "train-images-idx3-ubyte" in msg
    assert err.value.__cause__ is None and err.value.__suppress_context__


@needs_data
def test_truncated_file_is_reported_not_half_loaded(tmp_path, monkeypatch):
    from ibutils.data import data_root
    raw = tmp_path / "MNIST" / "raw"
    shutil.copytree(data_root() / "MNIST" / "raw", raw)
    images = raw / "train-images-idx3-ubyte"
    images.write_bytes(images.read_bytes()[: 16 + 28 * 28 * 1000])  # 1,000 of 60,000 images
    monkeypatch.setenv("IBUTILS_DATA", str(tmp_path))
    _no_network(monkeypatch)
    with pytest.raises(DataError, match="IBUTILS_DATA"):
        load_dataset("mnist")
