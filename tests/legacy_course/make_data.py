"""Write the legacy course's own data, deterministically (no download, no sklearn).

- ``data/digits.npz``: 1,200 training and 300 test "digits", 12x12 grayscale uint8, ten
  classes, in the layout of Keras' ``mnist.npz`` (``x_train``, ``y_train``, ``x_test``,
  ``y_test``). Each class is a fixed pattern of strokes; each image shifts it by up to one
  pixel, dims it and adds noise, so a small network needs a few epochs to reach 99 %.
- ``data/happy-or-sad/{happy,sad}/``: 32 PNG faces each, 32x32 RGB: a smile on a warm
  background, or a frown on a cool one.

Run ``python tests/legacy_course/make_data.py``; the files are committed (about 300 kB).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
SIZE = 12
FACE = 32


def _stroke(canvas: np.ndarray, rng: np.random.Generator) -> None:
    """Draw one straight stroke between two random points of the canvas."""
    (r0, c0), (r1, c1) = rng.integers(1, SIZE - 1, size=(2, 2))
    for t in np.linspace(0.0, 1.0, 3 * SIZE):
        canvas[round(r0 + t * (r1 - r0)), round(c0 + t * (c1 - c0))] = 1.0


def templates() -> np.ndarray:
    """One stroke pattern per class (three strokes each), fixed by the class number."""
    out = np.zeros((10, SIZE, SIZE))
    for k in range(10):
        rng = np.random.default_rng(100 + k)
        for _ in range(3):
            _stroke(out[k], rng)
    return out


def digits(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` noisy, shifted, dimmed copies of the class patterns, and their labels."""
    rng = np.random.default_rng(seed)
    pats = templates()
    labels = rng.integers(0, 10, size=n).astype(np.uint8)
    images = np.zeros((n, SIZE, SIZE))
    for i, k in enumerate(labels):
        dr, dc = rng.integers(-1, 2, size=2)
        images[i] = np.roll(pats[k], (dr, dc), axis=(0, 1)) * rng.uniform(0.7, 1.0)
    images += rng.normal(0.0, 0.15, size=images.shape)
    return np.clip(images * 255, 0, 255).astype(np.uint8), labels


def face(happy: bool, rng: np.random.Generator) -> np.ndarray:
    """A 32x32 RGB face: two eyes and a mouth curving up (happy) or down (sad)."""
    base = np.array([235, 200, 90]) if happy else np.array([110, 140, 210])
    img = np.ones((FACE, FACE, 3)) * (base + rng.normal(0, 12, size=3))
    img += rng.normal(0, 10, size=img.shape)
    eye_row = int(rng.integers(9, 12))
    for col in (10, 21):
        c = col + int(rng.integers(-1, 2))
        img[eye_row:eye_row + 3, c:c + 3] = 20
    mouth = int(rng.integers(20, 23))
    for col in range(8, 24):
        bend = ((col - 15.5) / 7.5) ** 2 * 4
        row = round(mouth - 4 + bend) if happy else round(mouth - bend)
        img[row:row + 2, col] = 20
    return np.clip(img, 0, 255).astype(np.uint8)


def main() -> None:
    """Write both data sets under data/."""
    data = HERE / "data"
    data.mkdir(exist_ok=True)
    x_train, y_train = digits(1200, seed=1)
    x_test, y_test = digits(300, seed=2)
    np.savez_compressed(data / "digits.npz", x_train=x_train, y_train=y_train,
                        x_test=x_test, y_test=y_test)
    rng = np.random.default_rng(3)
    for label in ("happy", "sad"):
        folder = data / "happy-or-sad" / label
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(32):
            Image.fromarray(face(label == "happy", rng)).save(folder / f"{label}-{i:02d}.png")


if __name__ == "__main__":
    main()
