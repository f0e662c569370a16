"""Shared fixtures: real data when IBUTILS_DATA points at it, and throwaway result caches."""
from pathlib import Path

import pytest

from ibutils.data import RAW_FILES, data_root


def _have_data() -> bool:
    return all((data_root() / "MNIST" / "raw" / f).is_file() for f in RAW_FILES)


needs_data = pytest.mark.skipif(
    not _have_data(), reason="MNIST not found: set IBUTILS_DATA (e.g. ../shared/data)")


@pytest.fixture
def tmp_store(tmp_path, monkeypatch):
    """Point the results and checkpoint caches at a fresh temporary folder."""
    monkeypatch.setenv("IBUTILS_RESULTS", str(tmp_path / "results"))
    monkeypatch.setenv("IBUTILS_CACHE", str(tmp_path / "cache"))
    return tmp_path


@pytest.fixture(autouse=True)
def _single_thread_torch():
    """Tests compare runs bit for bit; keep torch's thread count fixed within a test."""
    import torch
    n = torch.get_num_threads()
    yield
    torch.set_num_threads(n)


ROOT = Path(__file__).resolve().parents[1]
