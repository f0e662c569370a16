"""Grouped training equals training each member alone, up to floating-point reordering."""
import pytest
import torch

from ibutils.architecture import get_variant
from ibutils.config import get_profile
from ibutils.seed_group import GroupedCNN, members_for, train_group_epoch
from ibutils.train import new_model, train_epoch

TOL = 5e-5  # max |parameter difference| after 3 epochs of Adam (measured: 1e-8 to 4.5e-5)


def _alone_epoch(model, opt, x, y, run, epoch):
    """The runner's epoch for one model, whole batches at a time like the grouped path (the
    runner's micro-batches are compared with whole batches in test_train)."""
    return train_epoch(model, opt, x, y, seed=run.seed, epoch=epoch, batch_size=run.batch_size,
                       micro_batch=run.batch_size)


@pytest.mark.parametrize("variant", [("width", "w3"), ("pooling", "pool"), ("fc", "fc"),
                                     ("kernel", "2conv-k7")])
def test_group_member_equals_alone(variant):
    cfg = get_variant(*variant)
    seeds = (0, 1, 2)
    g = torch.Generator().manual_seed(0)
    x, y = torch.rand(1200, 1, 28, 28, generator=g), torch.randint(0, 10, (1200,), generator=g)
    runs = [get_profile("smoke").run_config(cfg, "mnist", s) for s in seeds]
    alone = []
    for run in runs:
        model, opt = new_model(run)
        for epoch in range(3):
            _alone_epoch(model, opt, x, y, run, epoch)
        alone.append(model.state_dict())
    grouped = GroupedCNN(cfg, members_for(cfg, seeds)).to(memory_format=torch.channels_last)
    opt = torch.optim.Adam(grouped.parameters(), lr=1e-3, eps=1e-7)
    for epoch in range(3):
        train_group_epoch(grouped, opt, x, y, seeds, epoch, 1000)
    for i, ref in enumerate(alone):
        got = grouped.member_state(i)
        assert set(got) == set(ref)
        for k in ref:
            assert torch.allclose(got[k], ref[k], atol=TOL, rtol=0), (i, k)
    # and the members really differ from each other (separate seeds, separate batches)
    assert not torch.allclose(grouped.member_state(0)["net.conv1.linear.weight"],
                              grouped.member_state(1)["net.conv1.linear.weight"])


def test_member_state_round_trip_is_exact():
    cfg = get_variant("depth", "d2")
    members = members_for(cfg, (3, 4))
    grouped = GroupedCNN(cfg, members)
    for i, m in enumerate(members):
        ref = m.state_dict()
        got = grouped.member_state(i)
        assert all(torch.equal(got[k], ref[k]) for k in ref)


def test_optimizer_state_split_matches_alone_and_merges_back():
    cfg = get_variant("fc", "fc")
    seeds = (0, 1)
    g = torch.Generator().manual_seed(1)
    x, y = torch.rand(1000, 1, 28, 28, generator=g), torch.randint(0, 10, (1000,), generator=g)
    runs = [get_profile("smoke").run_config(cfg, "mnist", s) for s in seeds]
    grouped = GroupedCNN(cfg, members_for(cfg, seeds))
    opt = torch.optim.Adam(grouped.parameters(), lr=1e-3, eps=1e-7)
    train_group_epoch(grouped, opt, x, y, seeds, 0, 1000)
    for i, run in enumerate(runs):
        model, alone_opt = new_model(run)
        _alone_epoch(model, alone_opt, x, y, run, 0)
        ref, got = alone_opt.state_dict(), grouped.member_optimizer_state(opt, i)
        assert set(got["state"]) == set(ref["state"])
        for j in ref["state"]:
            assert float(got["state"][j]["step"]) == float(ref["state"][j]["step"])
            for k in ("exp_avg", "exp_avg_sq"):
                assert torch.allclose(got["state"][j][k], ref["state"][j][k], atol=1e-6, rtol=1e-4)
        model.load_state_dict(grouped.member_state(i))  # loads into a plain CNN
        alone_opt.load_state_dict(got)
    # merge back: a fresh grouped model + Adam from member states continues identically
    again = GroupedCNN(cfg, members_for(cfg, seeds))
    again.load_state_dict(grouped.state_dict())
    opt2 = torch.optim.Adam(again.parameters(), lr=1e-3, eps=1e-7)
    again.load_optimizer_states(opt2, [grouped.member_optimizer_state(opt, i) for i in (0, 1)])
    train_group_epoch(grouped, opt, x, y, seeds, 1, 1000)
    train_group_epoch(again, opt2, x, y, seeds, 1, 1000)
    for (n, a), (_, b) in zip(grouped.named_parameters(), again.named_parameters()):
        assert torch.equal(a, b), n
