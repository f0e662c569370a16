"""Several networks of one shape trained as one grouped network (the seeds of a configuration).

Small nets (1-12 filters) spend their time in per-call overhead, not arithmetic; training G of
them at once with grouped convolutions and batched matrix products makes each call G times
larger. Model g of the group sees its own input batch (channel g of the grouped input), has its
own parameters (slice g of every stacked tensor) and its own loss; the summed loss gives each
model exactly its own gradient, and Adam is elementwise, so training a member in a group equals
training it alone up to floating-point reordering (tested).
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from .architecture import INPUT_SHAPE, NetConfig
from .models import CNN, build_cnn
from .train import NumericalError, TrainState, as_input, epoch_order, run_epochs


class GroupedCNN(nn.Module):
    """G copies of one `NetConfig` with separate parameters, evaluated in one pass.

    ``forward(x)`` takes (B, G, 28, 28), channel g being model g's images, and returns logits
    of shape (G, B, 10).
    """

    def __init__(self, config: NetConfig, members: Sequence[CNN]):
        super().__init__()
        if config.noise_std > 0:
            raise ValueError(f"noise_std: got {config.noise_std}; grouped seeds train "
                             "deterministic networks only (allowed 0); train noisy networks "
                             "one seed at a time")
        self.config, self.n = config, len(members)
        g = self.n
        act = {"tanh": nn.Tanh, "relu": nn.ReLU}[config.activation]
        layers, in_ch = [], INPUT_SHAPE[0]
        for i, (f, k) in enumerate(zip(config.filters, config.kernels)):
            conv = nn.Conv2d(in_ch * g, f * g, k, groups=g, padding="same" if i == 0 else "valid")
            layers += [conv, act()]
            if config.pool_after == i + 1:
                layers.append(nn.MaxPool2d(2, ceil_mode=True))
            in_ch = f
        self.convs = nn.Sequential(*layers)
        self.act = act()
        widths = [_flat_width(config), *config.dense, 10]
        self.weights = nn.ParameterList(
            [nn.Parameter(torch.empty(g, a, b)) for a, b in zip(widths[:-1], widths[1:])])
        self.biases = nn.ParameterList(
            [nn.Parameter(torch.empty(g, 1, b)) for b in widths[1:]])
        self.load_members(members)

    def _pairs(self):
        """(grouped parameter name, member parameter name, kind) for every parameter."""
        convs = [i for i, m in enumerate(self.convs) if isinstance(m, nn.Conv2d)]
        names = self.config.layer_names
        out = []
        for j, i in enumerate(convs):
            out += [(f"convs.{i}.weight", f"net.{names[j]}.linear.weight", "conv"),
                    (f"convs.{i}.bias", f"net.{names[j]}.linear.bias", "conv")]
        for j, name in enumerate(names[len(convs):]):
            out += [(f"weights.{j}", f"net.{name}.linear.weight", "dense_w"),
                    (f"biases.{j}", f"net.{name}.linear.bias", "dense_b")]
        return out

    def split(self, grouped: dict, index: int) -> dict:
        """Member `index`'s tensors (named as in a plain `CNN`) from grouped-shaped tensors.

        Works for parameters and for anything shaped like them (Adam's moment estimates).
        """
        out = {}
        for gname, mname, kind in self._pairs():
            t = grouped[gname]
            if kind == "conv":
                f = t.shape[0] // self.n
                out[mname] = t[index * f:(index + 1) * f].clone()
            elif kind == "dense_w":
                out[mname] = t[index].T.contiguous().clone()
            else:
                out[mname] = t[index, 0].clone()
        return out

    def merge(self, members: Sequence[dict]) -> dict:
        """Grouped-shaped tensors from the members' tensors (inverse of `split`)."""
        out = {}
        for gname, mname, kind in self._pairs():
            ts = [m[mname] for m in members]
            if kind == "conv":
                out[gname] = torch.cat(ts)
            elif kind == "dense_w":
                out[gname] = torch.stack([t.T for t in ts])
            else:
                out[gname] = torch.stack([t[None] for t in ts])
        return out

    @torch.no_grad()
    def load_members(self, members: Sequence[CNN]) -> None:
        """Copy each member's parameters into its slice of the grouped tensors."""
        merged = self.merge([m.state_dict() for m in members])
        for name, p in self.named_parameters():
            p.copy_(merged[name])

    @torch.no_grad()
    def member_state(self, index: int) -> dict:
        """The state_dict of member `index` as a plain `CNN` would have it."""
        return self.split(dict(self.named_parameters()), index)

    def member_optimizer_state(self, opt: torch.optim.Adam, index: int) -> dict:
        """Member `index`'s Adam state_dict, in the format a plain `CNN`'s Adam would save."""
        names = [n for n, _ in self.named_parameters()]
        state = {names[i]: s for i, s in opt.state_dict()["state"].items()}
        group = {k: v for k, v in opt.state_dict()["param_groups"][0].items() if k != "params"}
        member_names = [m for _, m, _ in self._pairs()]
        if not state:
            return {"state": {}, "param_groups": [{**group, "params": list(range(len(names)))}]}
        moments = {k: self.split({n: state[n][k] for n in names}, index)
                   for k in ("exp_avg", "exp_avg_sq")}
        step = state[names[0]]["step"]
        return {
            "state": {i: {"step": step.clone(), "exp_avg": moments["exp_avg"][m],
                          "exp_avg_sq": moments["exp_avg_sq"][m]}
                      for i, m in enumerate(member_names)},
            "param_groups": [{**group, "params": list(range(len(member_names)))}],
        }

    def load_optimizer_states(self, opt: torch.optim.Adam, members: Sequence[dict]) -> None:
        """Load the members' Adam state_dicts (plain-`CNN` format) into the grouped Adam."""
        names = [n for n, _ in self.named_parameters()]
        member_names = [m for _, m, _ in self._pairs()]
        if not members[0]["state"]:
            return
        moments = {}
        for k in ("exp_avg", "exp_avg_sq"):
            per_member = [{member_names[i]: s[k] for i, s in m["state"].items()} for m in members]
            moments[k] = self.merge(per_member)
        step = members[0]["state"][0]["step"]
        sd = opt.state_dict()
        sd["state"] = {i: {"step": step.clone(), "exp_avg": moments["exp_avg"][n],
                           "exp_avg_sq": moments["exp_avg_sq"][n]} for i, n in enumerate(names)}
        opt.load_state_dict(sd)

    def forward(self, x):  # (B, G, 28, 28) -> (G, B, 10)
        b = x.shape[0]
        h = self.convs(x)  # (B, G*C, H, W)
        h = h.reshape(b, self.n, -1).transpose(0, 1)  # (G, B, C*H*W), per-model flatten order
        for j, (w, bias) in enumerate(zip(self.weights, self.biases)):
            h = torch.baddbmm(bias, h, w)
            if j < len(self.weights) - 1:
                h = self.act(h)
        return h


def _flat_width(config: NetConfig) -> int:
    c, h, w = config.layer_shapes()[f"conv{len(config.filters)}"]
    return c * h * w


def grouped_batch(x: torch.Tensor, orders: Sequence[torch.Tensor], start: int, size: int):
    """(B, G, 28, 28) input whose channel g holds batch `start` of model g's epoch order."""
    idx = torch.stack([o[start:start + size] for o in orders])  # (G, B)
    return x[idx.T.reshape(-1), 0].reshape(idx.shape[1], len(orders), *x.shape[2:]), idx


def members_for(config: NetConfig, seeds: Sequence[int]) -> list[CNN]:
    """Fresh seeded members, exactly as `ibutils.train.new_model` would build them alone."""
    out = []
    for s in seeds:
        torch.manual_seed(s)
        out.append(build_cnn(config))
    return out


def train_group_epoch(model: GroupedCNN, opt, x, y, seeds: Sequence[int], epoch: int,
                      batch_size: int, bf16: bool = False) -> list[float]:
    """One epoch of every member on its own batch order; returns each member's mean loss.

    ``bf16=True`` runs forward and backward under CPU autocast to bfloat16 (AMX where the CPU
    has it), keeping fp32 master weights and an fp32 Adam; an option, not the default.
    """
    model.train()
    orders = [epoch_order(s, epoch, len(x)) for s in seeds]
    totals, n_batches = torch.zeros(len(seeds)), 0
    for start in range(0, len(x), batch_size):
        xb, idx = grouped_batch(x, orders, start, batch_size)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            logits = model(xb.contiguous(memory_format=torch.channels_last)).float()
        g, b, c = logits.shape
        per_member = F.cross_entropy(logits.reshape(g * b, c), y[idx].reshape(-1),
                                     reduction="none").reshape(g, b).mean(1)
        opt.zero_grad(set_to_none=True)
        per_member.sum().backward()
        opt.step()
        totals += per_member.detach()
        n_batches += 1
    return (totals / n_batches).tolist()


def train_group(runs, splits, *, horizon: int, snapshots: Sequence[int],
                measure: Callable[[CNN, int, int], dict], jobs, progress: bool = True,
                checkpoint_seconds: float = 120.0, bf16: bool = False):
    """Train runs that differ only by seed together, with each run's snapshots and checkpoints.

    The loop is `ibutils.train.run_epochs`, as for one net. ``jobs[i]`` supplies run i's
    resume state (all at one epoch, or all fresh), the snapshot epochs it already has
    (``done``) and its ``on_snapshot`` / ``on_checkpoint`` callbacks (`ibutils.runner.RunJob`),
    which receive plain single-model states; ``measure(member, epoch, i)`` records member i.
    So a run trained in a group is stored exactly like one trained alone.
    """
    from tqdm import tqdm

    config, seeds = runs[0].net, [r.seed for r in runs]
    if len({(r.net, r.dataset, r.lr, r.batch_size, r.adam_eps) for r in runs}) != 1:
        raise ValueError("runs: a group must share net, dataset and optimiser; only seeds differ")
    members = members_for(config, seeds)
    resumes = [j.resume for j in jobs]
    if any(r is not None for r in resumes):
        for m, r in zip(members, resumes):
            m.load_state_dict(r.model)
    model = GroupedCNN(config, members).to(memory_format=torch.channels_last)
    opt = torch.optim.Adam(model.parameters(), lr=runs[0].lr, eps=runs[0].adam_eps)
    start, losses = 0, [[] for _ in runs]
    if resumes[0] is not None:
        model.load_optimizer_states(opt, [r.optimizer for r in resumes])
        start, losses = resumes[0].epoch, [list(r.epoch_loss) for r in resumes]
    todo = [sorted(set(snapshots) - set(j.done)) for j in jobs]
    x, y = as_input(splits["train"].x), splits["train"].y
    at = [start]  # the epoch the group has reached

    def states():
        return [TrainState(at[0], model.member_state(i), model.member_optimizer_state(opt, i),
                           list(losses[i])) for i in range(len(runs))]

    def snapshot(epoch):
        for i, state in enumerate(states()):
            if epoch in todo[i]:
                member = members[i]
                member.load_state_dict(state.model)
                record = measure(member.to(memory_format=torch.channels_last), epoch, i)
                jobs[i].on_snapshot(record, state)
                jobs[i].on_checkpoint(state)

    def train_one_epoch(epoch):
        epoch_losses = train_group_epoch(model, opt, x, y, seeds, epoch, runs[0].batch_size,
                                         bf16 or runs[0].precision == "bf16")
        for i, loss in enumerate(epoch_losses):
            if not math.isfinite(loss):
                raise NumericalError(f"epoch {epoch + 1}: training loss of seed {seeds[i]} is "
                                     f"{loss}; results up to epoch {epoch} are kept")
            losses[i].append(loss)
        at[0] = epoch + 1

    def checkpoint():
        for job, state in zip(jobs, states()):
            job.on_checkpoint(state)

    bar = tqdm(total=horizon, initial=start, disable=not progress, leave=False, unit="ep",
               desc=f"{runs[0].dataset} group of {len(runs)}")
    run_epochs(start, horizon, snapshot_due=lambda e: any(e in t for t in todo),
               snapshot=snapshot, train_one_epoch=train_one_epoch, checkpoint=checkpoint,
               checkpoint_seconds=checkpoint_seconds, bar=bar)
