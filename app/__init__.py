"""Optimizer Lab: the optimizers of D2L ch. 7, live in the browser."""

__version__ = "0.1.0"
