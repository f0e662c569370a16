"""Running a study's configurations on dask.distributed: a local cluster of single-threaded
workers, or a running scheduler. Each configuration (its seeds as one group) is one task; per-run
locks make concurrent workers safe."""
from __future__ import annotations

from tqdm import tqdm

from .config import Profile
from .planning import StudyRun


def group_task(run_group, runs, profile, estimators, grouped) -> list[dict]:
    """One dask task: a configuration's seeds through `run_group` (the runner's, which passes
    itself), with torch using the worker's thread count."""
    import torch
    from distributed import get_worker

    torch.set_num_threads(get_worker().state.nthreads)
    return run_group(runs, profile, profile.epochs, estimators, False, grouped)


def run_distributed(run_group, groups: list[list[StudyRun]], profile: Profile, estimators,
                    scheduler: str, progress: bool, grouped: bool) -> dict:
    """Hand each configuration to dask.distributed, to be computed there by `run_group`
    (`ibutils.runner.run_group`); returns {run label: payload}."""
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler == "local":
        import os
        cluster = LocalCluster(n_workers=os.cpu_count() or 1, threads_per_worker=1,
                               processes=True, host="127.0.0.1", dashboard_address=None)
    try:
        with Client(cluster if cluster is not None else scheduler) as client:
            futures = {client.submit(group_task, run_group, [i.run for i in items], profile,
                                     estimators,
                                     grouped, pure=False): items for items in groups}
            payloads = {}
            done = as_completed(futures)
            for future in tqdm(done, total=len(futures), disable=not progress, unit="config",
                               desc=f"{profile.name} on {scheduler}"):
                items = futures[future]
                payloads.update({i.label: p for i, p in zip(items, future.result())})
            return payloads
    finally:
        if cluster is not None:
            cluster.close()
