"""Horses or humans (Week 4): the real images when present, else a generated stand-in.

The real data set (Laurence Moroney's, CC BY 2.0: 1,027 training and 256 validation
images, 300x300 PNG) is used when found, in this order:

- ``$AUTOGRADER_DATA/horse-or-human/{train,validation}/{horses,humans}/``
- the Keras cache: ``~/.keras/datasets/horse-or-human/{horses,humans}/`` with
  ``~/.keras/datasets/validation-horse-or-human/{horses,humans}/`` (what
  ``keras.utils.get_file(..., extract=True)`` leaves), or ``…/horse-or-human/{train,validation}/``

Without it (no network here), a **stand-in** with the same layout is drawn with Pillow,
seeded and reproducible, and cached under ``$AUTOGRADER_DATA/horses-or-humans-standin-vN``
(or ``~/.cache/autograder/…``): a horse is a long horizontal body on four legs with a neck
and a head, a human an upright figure with a head, a torso, arms and legs; poses, sizes,
places, colours (the same palette for both classes) and textured backgrounds vary. It has
a ``heldout/`` folder the grader keeps to itself. ``python course_data/horses_humans.py DEST``
writes the stand-in to DEST for a student without the real images.

This is the course's own data (Week 4), not the grader's: ``course_checks.py`` registers it
as the dataset ``horses_or_humans`` (``DATASETS``), named by ``extra_checks`` in course.yaml.

Splits the grader uses: ``train``, ``validation`` (given to the sandbox, in part),
``predict`` (a few images, neutrally named, for the prediction exercise) and ``heldout``
(judging only; never in the sandbox). For the real set, ``predict`` and ``heldout`` are
taken from the end of its validation folder, and ``validation`` is its beginning.
"""

from __future__ import annotations

import functools
import math
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from autograder.errors import GraderError

CLASSES = ("horses", "humans")  # flow_from_directory's order: horses 0, humans 1
LABELS = ("horse", "human")
VERSION = 1
SIZE = 300
STANDIN_COUNTS = {"train": 256, "validation": 64, "heldout": 72}  # per class
PREDICT_PER_CLASS = 8  # the first images of heldout/ (stand-in) go to the prediction exercise
REAL_VALIDATION_SPLIT = (48, 56)  # per class: validation [:48], predict [48:56], heldout [56:]
SPLITS = ("train", "validation", "predict", "heldout")
FETCH = ("mkdir -p \"$AUTOGRADER_DATA/horse-or-human\" && cd \"$AUTOGRADER_DATA/horse-or-human\""
         " && curl -LO https://storage.googleapis.com/learning-datasets/horse-or-human.zip"
         " && curl -LO https://storage.googleapis.com/learning-datasets/"
         "validation-horse-or-human.zip && unzip -q horse-or-human.zip -d train"
         " && unzip -q validation-horse-or-human.zip -d validation")


# --------------------------------------------------------------------------- finding it


def _has_classes(folder: Path) -> bool:
    return all((folder / c).is_dir() and any((folder / c).iterdir()) for c in CLASSES)


def real_folders() -> tuple[Path, Path] | None:
    """(train, validation) folders of the real data set, or None when it is not here."""
    keras_home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "datasets"
    pairs = []
    if "AUTOGRADER_DATA" in os.environ:
        base = Path(os.environ["AUTOGRADER_DATA"]) / "horse-or-human"
        pairs.append((base / "train", base / "validation"))
    pairs += [(keras_home / "horse-or-human" / "train",
               keras_home / "horse-or-human" / "validation"),
              (keras_home / "horse-or-human", keras_home / "validation-horse-or-human")]
    for train, validation in pairs:
        if _has_classes(train) and _has_classes(validation):
            return train, validation
    return None


def standin_folder() -> Path:
    """Where the generated stand-in lives (made on first use)."""
    if "AUTOGRADER_DATA" in os.environ:
        base = Path(os.environ["AUTOGRADER_DATA"])
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "autograder"
    folder = base / f"horses-or-humans-standin-v{VERSION}"
    if not (folder / "done").is_file():
        base.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".standin-", dir=base) as tmp:
            generate(Path(tmp) / "set", heldout=True)
            (Path(tmp) / "set" / "done").write_text("complete\n", encoding="utf-8")
            try:
                os.replace(Path(tmp) / "set", folder)  # atomic: a concurrent maker wins whole
            except OSError:
                if not (folder / "done").is_file():
                    raise
    return folder


def source() -> str:
    """Which set is in use, in words (reported with the grades)."""
    real = real_folders()
    if real is not None:
        return f"the real horses-or-humans images ({real[0].parent})"
    return (f"the generated stand-in for horses-or-humans (drawn figures, v{VERSION}; the real "
            "images were not found)")


def is_real() -> bool:
    """True when the real data set is in use."""
    return real_folders() is not None


def _images(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir()
                  if p.suffix.lower() in (".png", ".jpg", ".jpeg") and p.is_file())


@functools.lru_cache(maxsize=8)
def _split(split: str) -> tuple[tuple[Path, ...], tuple[Path, ...]]:
    """(horse files, human files) of a split, each sorted."""
    if split not in SPLITS:
        raise GraderError(f"horses_or_humans has splits {', '.join(SPLITS)}, not {split!r}")
    real = real_folders()
    if real is not None:
        train, validation = real
        if split == "train":
            return tuple(_images(train / "horses")), tuple(_images(train / "humans"))
        a, b = REAL_VALIDATION_SPLIT
        cut = {"validation": slice(0, a), "predict": slice(a, b), "heldout": slice(b, None)}
        return (tuple(_images(validation / "horses")[cut[split]]),
                tuple(_images(validation / "humans")[cut[split]]))
    root = standin_folder()
    folder = root / ("heldout" if split in ("predict", "heldout") else split)
    horses, humans = _images(folder / "horses"), _images(folder / "humans")
    if split == "predict":
        horses, humans = horses[:PREDICT_PER_CLASS], humans[:PREDICT_PER_CLASS]
    elif split == "heldout":
        horses, humans = horses[PREDICT_PER_CLASS:], humans[PREDICT_PER_CLASS:]
    return tuple(horses), tuple(humans)


def load(split: str, limit: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Image paths (as text) and labels (0 horse, 1 human) of a split.

    ``limit`` keeps that many images in all, half of each class (the first ones). The
    ``predict`` split comes in a fixed shuffled order, so its labels do not follow a pattern.
    """
    horses, humans = _split(split)
    if limit is not None:
        horses, humans = horses[:(limit + 1) // 2], humans[:limit // 2]
    paths = [str(p) for p in (*horses, *humans)]
    labels = np.array([0] * len(horses) + [1] * len(humans), dtype=np.int64)
    if split == "predict":
        order = np.random.default_rng(4).permutation(len(paths))
        paths, labels = [paths[i] for i in order], labels[order]
    return np.array(paths, dtype=str), labels


def write_part(split: str, limit: int | None, part: str, dest: Path) -> dict[str, Any]:
    """Copy a split's images for the sandbox: ``folder`` as ``dest/horses``, ``dest/humans``
    (for flow_from_directory); ``files`` as neutrally named ``dest/image-NN.png`` (their
    labels stay with the grader). Copies, never links: the cache must stay the grader's."""
    paths, labels = load(split, limit)
    dest.mkdir(parents=True, exist_ok=True)
    if part == "folder":
        for name in CLASSES:
            (dest / name).mkdir(exist_ok=True)
        for path, label in zip(paths, labels, strict=True):
            shutil.copyfile(path, dest / CLASSES[label] / Path(path).name)
        return {"folder": str(dest)}
    out = []
    for i, path in enumerate(paths):
        target = dest / f"image-{i:02d}{Path(path).suffix.lower()}"
        shutil.copyfile(path, target)
        out.append(str(target))
    return {"files": out}


# --------------------------------------------------------------------------- drawing

#: Colours shared by horses' coats and humans' clothes, so colour alone tells nothing.
PALETTE = [(92, 60, 36), (139, 90, 43), (60, 40, 30), (30, 30, 30), (200, 200, 190),
           (160, 110, 70), (120, 120, 120), (180, 150, 110), (70, 90, 140), (150, 40, 40),
           (40, 110, 60), (210, 180, 60), (100, 60, 120), (230, 230, 230), (60, 60, 80)]
SKIN = [(255, 220, 180), (230, 180, 140), (190, 140, 100), (140, 95, 60), (95, 65, 45)]


def _jitter(rng: np.random.Generator, colour: tuple[int, int, int],
            amount: int = 25) -> tuple[int, int, int]:
    r, g, b = (int(np.clip(c + rng.integers(-amount, amount + 1), 0, 255)) for c in colour)
    return (r, g, b)


def _pick(rng: np.random.Generator, colours: list[tuple[int, int, int]]) -> tuple[int, int, int]:
    return _jitter(rng, colours[int(rng.integers(len(colours)))])


def background(rng: np.random.Generator, size: int = SIZE) -> Any:
    """Sky-and-ground or indoor-wall scenes with a soft texture and a few clutter shapes."""
    from PIL import Image, ImageDraw, ImageFilter

    top = _jitter(rng, [(135, 180, 230), (200, 200, 210), (230, 220, 200),
                        (170, 200, 170), (90, 110, 150)][int(rng.integers(5))], 30)
    bottom = _jitter(rng, [(90, 140, 60), (160, 140, 100), (120, 120, 120),
                           (200, 190, 170), (70, 100, 50)][int(rng.integers(5))], 30)
    horizon = rng.uniform(0.35, 0.75)
    t = np.linspace(0, 1, size)[:, None, None]
    base = np.where(t < horizon, np.array(top) * (1 - 0.3 * t), np.array(bottom) * (0.8 + 0.3 * t))
    coarse = rng.normal(0, 10, (size // 20, size // 20, 3))
    texture = np.asarray(Image.fromarray(np.clip(coarse + 128, 0, 255).astype(np.uint8))
                         .resize((size, size), Image.Resampling.BICUBIC), dtype=np.float64) - 128
    img = Image.fromarray(np.clip(base + texture, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(img)
    for _ in range(int(rng.integers(0, 4))):  # trees, fences, boxes, balls
        colour = _pick(rng, PALETTE)
        x, y = rng.uniform(0, size, 2)
        w, h = rng.uniform(10, 60, 2)
        if rng.random() < 0.5:
            draw.ellipse([x, y, x + w, y + h], fill=colour)
        else:
            draw.rectangle([x, y, x + w * 0.5, y + h], fill=colour)
    return img.filter(ImageFilter.GaussianBlur(1.5))


def _limb(draw: Any, start: tuple[float, float], angle: float, length: float, width: float,
          colour: tuple[int, int, int], bend: float = 0.0) -> tuple[float, float]:
    """A two-segment limb from ``start`` (angles in degrees from straight down)."""
    a1 = math.radians(angle)
    mid = (start[0] + math.sin(a1) * length / 2, start[1] + math.cos(a1) * length / 2)
    a2 = math.radians(angle + bend)
    end = (mid[0] + math.sin(a2) * length / 2, mid[1] + math.cos(a2) * length / 2)
    w = max(2, int(width))
    draw.line([start, mid, end], fill=colour, width=w, joint="curve")
    r = w / 2
    for px, py in (start, mid, end):
        draw.ellipse([px - r, py - r, px + r, py + r], fill=colour)
    return end


def draw_horse(rng: np.random.Generator, size: int = SIZE) -> Any:
    """A horse on a transparent layer: long body, four legs, neck, head, tail."""
    from PIL import Image, ImageDraw

    layer = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    coat = _pick(rng, PALETTE)
    mane = _jitter(rng, coat, 60)
    s = rng.uniform(0.75, 1.1) * size / 300
    body_w, body_h = 130 * s * rng.uniform(0.85, 1.15), 50 * s * rng.uniform(0.85, 1.15)
    cx, cy = size / 2, size / 2 + 10 * s
    left, top = cx - body_w / 2, cy - body_h / 2
    leg = 70 * s * rng.uniform(0.85, 1.2)
    width = 11 * s
    gait = rng.uniform(0, 35)  # 0 standing, larger: trotting
    for x, sign in ((left + 0.12 * body_w, 1), (left + 0.25 * body_w, -1),
                    (left + 0.75 * body_w, 1), (left + 0.88 * body_w, -1)):
        _limb(draw, (x, cy + body_h * 0.25), sign * gait * rng.uniform(0.5, 1), leg, width,
              _jitter(rng, coat, 15), bend=-sign * rng.uniform(0, 25))
    draw.ellipse([left, top, left + body_w, top + body_h], fill=coat)
    # neck and head at the right end (the layer may be mirrored afterwards)
    neck_base = (left + 0.85 * body_w, cy - 0.1 * body_h)
    neck_angle = math.radians(rng.uniform(20, 70))  # from horizontal, upwards
    neck_len = 65 * s
    head = (neck_base[0] + math.cos(neck_angle) * neck_len,
            neck_base[1] - math.sin(neck_angle) * neck_len)
    draw.line([neck_base, head], fill=coat, width=int(26 * s), joint="curve")
    draw.line([(neck_base[0] - 6 * s, neck_base[1] - 8 * s), (head[0] - 4 * s, head[1] - 6 * s)],
              fill=mane, width=max(2, int(7 * s)))
    droop = math.radians(rng.uniform(-60, -10))
    muzzle = (head[0] + math.cos(droop) * 40 * s, head[1] - math.sin(droop) * 40 * s)
    draw.line([head, muzzle], fill=coat, width=int(20 * s))
    r = 12 * s
    draw.ellipse([head[0] - r, head[1] - r, head[0] + r, head[1] + r], fill=coat)
    draw.polygon([(head[0] - 6 * s, head[1] - 8 * s), (head[0] - 2 * s, head[1] - 24 * s),
                  (head[0] + 4 * s, head[1] - 8 * s)], fill=coat)  # an ear
    tail_start = (left + 0.02 * body_w, cy - 0.2 * body_h)
    _limb(draw, tail_start, rng.uniform(20, 60), 60 * s, 9 * s, mane, bend=rng.uniform(-20, 20))
    if rng.random() < 0.5:
        layer = layer.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return layer


def draw_human(rng: np.random.Generator, size: int = SIZE) -> Any:
    """An upright person on a transparent layer: head, torso, arms, legs."""
    from PIL import Image, ImageDraw

    layer = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    shirt, trousers, skin = _pick(rng, PALETTE), _pick(rng, PALETTE), _pick(rng, SKIN)
    s = rng.uniform(0.75, 1.1) * size / 300
    cx = size / 2
    torso_h, torso_w = 80 * s * rng.uniform(0.9, 1.1), 42 * s * rng.uniform(0.8, 1.2)
    leg = 95 * s * rng.uniform(0.9, 1.1)
    top = size / 2 - (torso_h + leg) / 2 + 15 * s
    hip = (cx, top + torso_h)
    stride = rng.uniform(0, 30)
    for sign in (-1, 1):
        _limb(draw, (cx + sign * torso_w * 0.25, hip[1] - 4 * s), sign * stride
              * rng.uniform(0.3, 1), leg, 16 * s, trousers, bend=rng.uniform(-15, 15))
    draw.rounded_rectangle([cx - torso_w / 2, top, cx + torso_w / 2, top + torso_h],
                           radius=int(10 * s), fill=shirt)
    arm = 80 * s * rng.uniform(0.9, 1.1)
    for sign in (-1, 1):
        pose = rng.choice([rng.uniform(5, 30), rng.uniform(40, 100), rng.uniform(120, 170)])
        _limb(draw, (cx + sign * torso_w * 0.45, top + 8 * s), sign * pose, arm, 11 * s,
              shirt if rng.random() < 0.6 else skin, bend=sign * rng.uniform(-30, 30))
    r = 19 * s * rng.uniform(0.9, 1.1)
    head_y = top - r - 2 * s
    draw.rectangle([cx - 5 * s, head_y, cx + 5 * s, top + 2], fill=skin)  # neck
    draw.ellipse([cx - r, head_y - r, cx + r, head_y + r], fill=skin)
    hair = _pick(rng, [(30, 20, 10), (90, 60, 30), (200, 170, 90), (120, 120, 120)])
    draw.chord([cx - r, head_y - r, cx + r, head_y + r], 180, 360, fill=hair)
    return layer


def draw_example(rng: np.random.Generator, label: int, size: int = SIZE) -> Any:
    """One RGB image of a horse (0) or a human (1): figure tilted, moved, on a scene."""
    from PIL import Image

    img = background(rng, size)
    figure = (draw_horse if label == 0 else draw_human)(rng, size)
    shift = (rng.uniform(-0.12, 0.12) * size, rng.uniform(-0.08, 0.08) * size)
    figure = figure.rotate(rng.uniform(-12, 12), resample=Image.Resampling.BICUBIC,
                           translate=shift)
    img.paste(figure, (0, 0), figure)
    return img


def generate(dest: Path, heldout: bool = True, counts: dict[str, int] | None = None) -> None:
    """Draw the stand-in set into ``dest`` (seeded: the same images every time)."""
    counts = dict(counts or STANDIN_COUNTS)
    if not heldout:
        counts.pop("heldout", None)
    for n, (split, per_class) in enumerate(counts.items()):
        for label, name in enumerate(CLASSES):
            folder = dest / split / name
            folder.mkdir(parents=True, exist_ok=True)
            rng = np.random.default_rng([VERSION, n, label])
            for i in range(per_class):
                img = draw_example(rng, label)
                img.save(folder / f"{name[:-1]}-{split}-{i:03d}.png", optimize=False)


def main(argv: list[str] | None = None) -> int:
    """``python course_data/horses_humans.py DEST``: write the stand-in (train, validation)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python course_data/horses_humans.py DEST   (writes DEST/train and "
              "DEST/validation)\nthe real images, with internet:\n  " + FETCH, file=sys.stderr)
        return 2
    generate(Path(args[0]), heldout=False)
    print(f"wrote the horses-or-humans stand-in to {args[0]}/train and {args[0]}/validation")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
