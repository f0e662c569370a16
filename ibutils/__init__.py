"""ibutils: the package under the book "Information Bottleneck Theory on CNNs, revisited".

Modules, one per concept: `data`, `models`, `config`, `mi` (estimators, bits), `train`
(loop, hooks, snapshots), `results` (the on-disk cache), `runner` (runs -> results),
`plots` (one function per figure kind).
"""
__version__ = "0.1.0"
