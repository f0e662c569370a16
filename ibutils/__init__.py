"""ibutils: the package under the book "Information Bottleneck Theory on CNNs, revisited".

One direction of flow, each layer using only the layers listed before it:

    config       run, profile and estimator descriptions, named estimator sets, stable hashes
    data         MNIST and Fashion-MNIST from IBUTILS_DATA, the paper's split
    models       the paper's networks (`build_cnn`); `fastconv`: fast CPU convolutions
    train        the training loop (one net; `seed_group`: the seeds of a configuration)
    mi           estimators as pure functions, arrays in, bits out; `geometry` beside them
    record       what a snapshot records: hooks, estimators, gradient statistics
    store        files on disk (atomic, checksummed, locked); `results`: the stored-run format
    runner       runs -> stored results (`planning`, `distributed`, `python -m ibutils`)
    analysis     the compression test, fitting, statistics, mechanisms: numbers only
    plots        one function per figure kind
    book         page specs, page objects, tables, glued facts, the widget explorer
"""
__version__ = "0.1.0"
