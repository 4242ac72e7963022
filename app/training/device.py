"""Where a job trains: the device a request names, resolved against this machine."""

from __future__ import annotations

import torch

from app.i18n.text import Text


def resolve_device(device: str) -> torch.device:
    """'auto' → cuda when available, else cpu; 'cuda' without CUDA raises ValueError."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError(Text("CUDA is not available on this server (torch.cuda.is_available() is False)"))
    if device not in {"cpu", "cuda"}:
        raise ValueError(Text("unknown device '{device}'; expected auto, cpu or cuda", device=device))
    return torch.device(device)
