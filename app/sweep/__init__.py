"""Sweeps: one optimizer over a grid of settings (or start points), each cell a run, all run at once."""
