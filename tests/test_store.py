"""Configs, hashes, schedules and the results cache (round trip, corruption, schema)."""
import json
import warnings

import pytest

from ibutils import store
from ibutils.architecture import get_variant
from ibutils.config import (
    PROFILES,
    RunConfig,
    binning,
    get_profile,
    paper_snapshots,
    snapshot_epochs,
)


def test_paper_schedule_has_36_snapshots():
    s = paper_snapshots()
    assert len(s) == 36
    assert s[:5] == (0, 2, 4, 6, 8) and s[5:13] == (14, 19, 24, 29, 34, 39, 44, 49)
    assert s[13:16] == (99, 149, 199) and s[16] == 499 and s[-1] == 9999


def test_book_schedule_contains_paper_epochs_and_is_prefix_stable():
    book = snapshot_epochs("log", 1000)
    assert set(e for e in paper_snapshots() if e <= 1000) <= set(book)
    assert book[0] == 0 and book[-1] == 1000
    # extending a run only adds snapshots after the old horizon
    short = snapshot_epochs("log", 200)
    assert tuple(e for e in book if e <= 200) == short


def test_hash_is_stable_and_sensitive():
    run = PROFILES["book"].run_config(get_variant("width", "w3"), "mnist", 0)
    # Changing this key orphans every committed result: update it only on purpose.
    assert run.key() == "d5b80cbd1aa9"  # results/book/mnist/d5b80cbd1aa9/ in the repository
    assert run.key() == RunConfig.from_dict(json.loads(json.dumps(run.to_dict()))).key()
    assert run.key() != PROFILES["book"].run_config(get_variant("width", "w3"), "mnist", 1).key()
    assert run.key() != PROFILES["book"].run_config(get_variant("width", "w6"), "mnist", 0).key()
    assert len(run.key()) == 12


@pytest.mark.parametrize("call, match", [
    (lambda: get_profile("fast"), r"profile: got 'fast', allowed \('smoke', 'book', 'paper'\)"),
    (lambda: get_profile("book", epochs=0), "epochs: got 0"),
    (lambda: get_profile("book", epochs=-3), "epochs: got -3"),
    (lambda: get_profile("book", seeds=[-1]), "seeds"),
    (lambda: binning(bin_width=0), "bin_width"),
    (lambda: binning(n_bins=-2), "n_bins"),
    (lambda: RunConfig(get_variant("width", "w1"), "cifar10"), "dataset: got 'cifar10'"),
    (lambda: RunConfig(get_variant("width", "w1"), "mnist", batch_size=0), "batch_size: got 0"),
    (lambda: RunConfig(get_variant("width", "w1"), "mnist", schedule="linear"), "schedule"),
])
def test_bad_parameters_are_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_result_round_trip(tmp_store):
    path = tmp_store / "r" / "result.json"
    store.save_result(path, {"config": {"a": 1}, "snapshots": [{"epoch": 0, "x": 0.5}]})
    back = store.load_result(path)
    assert back["snapshots"] == [{"epoch": 0, "x": 0.5}] and back["schema"] == store.SCHEMA
    assert back["ibutils_version"]
    assert not list(path.parent.glob(".*.tmp"))  # no temporary file left behind


def test_edited_result_is_detected_and_ignored(tmp_store):
    path = tmp_store / "r" / "result.json"
    store.save_result(path, {"snapshots": [{"epoch": 0, "x": 0.5}]})
    path.write_text(path.read_text().replace("0.5", "0.6"))
    with pytest.warns(store.CorruptResultWarning, match="checksum"):
        assert store.load_result(path) is None


def test_truncated_result_is_detected(tmp_store):
    path = tmp_store / "r" / "result.json"
    store.save_result(path, {"snapshots": [{"epoch": 0, "x": 0.5}]})
    path.write_bytes(path.read_bytes()[:40])
    with pytest.warns(store.CorruptResultWarning, match="unreadable"):
        assert store.load_result(path) is None


def test_other_schema_is_detected(tmp_store, monkeypatch):
    path = tmp_store / "r" / "result.json"
    monkeypatch.setattr(store, "SCHEMA", 0)
    store.save_result(path, {"snapshots": []})
    monkeypatch.setattr(store, "SCHEMA", 1)
    with pytest.warns(store.CorruptResultWarning, match="schema"):
        assert store.load_result(path) is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert store.load_result(tmp_store / "absent.json") is None


def test_writer_dying_before_rename_leaves_the_old_file(tmp_store, monkeypatch):
    path = tmp_store / "r" / "result.json"
    store.save_result(path, {"snapshots": [{"epoch": 0}]})
    before = path.read_bytes()

    def die(*_a, **_k):
        raise KeyboardInterrupt("killed between write and rename")

    monkeypatch.setattr(store.os, "replace", die)
    with pytest.raises(KeyboardInterrupt):
        store.save_result(path, {"snapshots": [{"epoch": 0}, {"epoch": 1}]})
    assert path.read_bytes() == before  # readers still see the complete old version
    assert store.load_result(path)["snapshots"] == [{"epoch": 0}]
    assert not list(path.parent.glob(".*.tmp"))
