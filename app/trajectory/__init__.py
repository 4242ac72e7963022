"""The 2D service: comparisons of optimizers on 2D functions (and, on the same runner, sweeps).

- ``runner``: the batched runner (K runs of one optimizer stepped together), over ``kernels``;
- ``comparison``: the runs of one request, chunk by chunk; ``records``: as history records;
- ``cache``: a request canonicalised and hashed, the bounded cache of answers;
- ``pool``: the worker processes; ``work``: what they run; ``service``: plan → run → store.
"""
