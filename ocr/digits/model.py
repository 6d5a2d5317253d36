"""Digit classifier inference: MNIST-style 28×28 normalisation + a small MLP in numpy."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

MODEL_PATH = Path(__file__).with_name("model.npz")


def _main_components(mask: np.ndarray, ratio: float = 0.08) -> np.ndarray:
    n, labels, stats, _ = cv2.connectedComponentsWithStats((mask > 0).astype(np.uint8), connectivity=8)
    if n <= 2:
        return mask
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.zeros(n, bool)
    keep[1:] = areas >= max(areas.max() * ratio, 2)
    return np.where(keep[labels], mask, 0).astype(mask.dtype)


def prepare(mask: np.ndarray) -> np.ndarray | None:
    """Ink mask (0/255, any size) → 784 floats in 0..1, MNIST-style; None when empty.

    Specks (components under 8 % of the largest) are dropped before the digit is framed.
    """
    mask = _main_components(mask)
    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        return None
    crop = mask[ys.min():ys.max() + 1, xs.min():xs.max() + 1].astype(np.float32)
    h, w = crop.shape
    s = 20.0 / max(h, w)
    nh, nw = max(1, round(h * s)), max(1, round(w * s))
    crop = cv2.resize(crop, (nw, nh), interpolation=cv2.INTER_AREA)
    out = np.zeros((28, 28), np.float32)
    total = crop.sum()
    if total <= 0:
        return None
    cy = (crop.sum(1) * np.arange(nh)).sum() / total
    cx = (crop.sum(0) * np.arange(nw)).sum() / total
    y0 = int(round(14 - cy))
    x0 = int(round(14 - cx))
    y0 = min(max(y0, 0), 28 - nh)
    x0 = min(max(x0, 0), 28 - nw)
    out[y0:y0 + nh, x0:x0 + nw] = crop
    peak = out.max()
    return (out / peak).reshape(-1) if peak > 0 else None


def _hog(imgs: np.ndarray, cell: int = 7, bins: int = 9) -> np.ndarray:
    """Histogram of oriented gradients over 4×4 cells of 7×7 px (vectorised, numpy)."""
    gy, gx = np.gradient(imgs, axis=(1, 2))
    mag = np.hypot(gx, gy)
    ang = (np.arctan2(gy, gx) % np.pi) / np.pi * bins
    idx = np.minimum(ang.astype(np.int64), bins - 1)
    n, h, w = imgs.shape
    out = np.zeros((n, h // cell, w // cell, bins), np.float32)
    onehot = np.eye(bins, dtype=np.float32)[idx] * mag[..., None]
    out = onehot.reshape(n, h // cell, cell, w // cell, cell, bins).sum(axis=(2, 4))
    out = out.reshape(n, -1, bins)
    out /= np.linalg.norm(out, axis=2, keepdims=True) + 1e-3
    return out.reshape(n, -1)


def features(x: np.ndarray) -> np.ndarray:
    """Rows of 784 normalised pixels → pixels (14×14) + HOG, the classifier's input."""
    imgs = x.reshape(-1, 28, 28).astype(np.float32)
    blurred = np.stack([cv2.GaussianBlur(i, (3, 3), 0) for i in imgs])
    small = blurred.reshape(-1, 14, 2, 14, 2).mean(axis=(2, 4)).reshape(len(imgs), -1)
    return np.concatenate([small, _hog(blurred)], axis=1).astype(np.float32)


@lru_cache(maxsize=1)
def load_model(path: Path = MODEL_PATH) -> dict[str, np.ndarray]:
    with np.load(path) as data:
        return {k: data[k] for k in data.files}


def forward(x: np.ndarray, model: dict[str, np.ndarray]) -> np.ndarray:
    """Softmax probabilities, shape (n, 10)."""
    n_layers = int(model["n_layers"])
    h = (features(x) - model["mean"]) / model["scale"]
    for i in range(n_layers):
        h = h @ model[f"W{i}"] + model[f"b{i}"]
        if i < n_layers - 1:
            h = np.maximum(h, 0)
    h -= h.max(axis=1, keepdims=True)
    e = np.exp(h)
    return e / e.sum(axis=1, keepdims=True)


def classify(masks: list[np.ndarray]) -> list[tuple[str | None, float]]:
    """Per mask: (digit or None when empty, probability)."""
    prepared = [prepare(m) for m in masks]
    rows = [p for p in prepared if p is not None]
    results: list[tuple[str | None, float]] = []
    probs = forward(np.stack(rows), load_model()) if rows else np.zeros((0, 10))
    k = 0
    for p in prepared:
        if p is None:
            results.append((None, 1.0))
        else:
            results.append((str(int(probs[k].argmax())), float(probs[k].max())))
            k += 1
    return results
