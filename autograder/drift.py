"""Known Keras 2 → 3 drift: code from the Keras 2 era that fails under Keras 3.

A pure function, :func:`find_drift`, reads what an exercise's failure said (the error and
its traceback, the checks' messages) and the student's code, and names the line written
in Keras 2's spelling and the Keras 3 spelling of it. Each drift needs the error Keras 3
gives for it *and* the Keras 2 spelling in the student's code, so a note is never made up
from the code alone. The table is data: add a row for a drift found in the wild.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

MAX_LINE = 200  # characters of the student's line quoted in a note


@dataclass(frozen=True)
class DriftNote:
    """Where a student's code uses a Keras 2 spelling that Keras 3 no longer accepts."""

    drift: str  # the row of the table, e.g. "lr"
    line: int | None  # 1-based line in the exercise's cell (None: not found in the cell)
    old: str  # the student's line as written (or the Keras 2 spelling)
    new: str  # the same line in Keras 3's spelling (or the Keras 3 spelling)
    why: str  # one sentence: what changed
    cell: str = ""  # the exercise whose cell holds the line, when not the failing one's

    def describe(self) -> str:
        """The note as one student-facing sentence."""
        where = f"line {self.line}" if self.line else "your code"
        if self.cell:
            where += f" of {self.cell}'s cell"
        return (f"Keras 2 → 3: {where}: {self.old.strip()!r} is Keras 2; in Keras 3 write "
                f"{self.new.strip()!r}. {self.why}")


@dataclass(frozen=True)
class Drift:
    """One known drift: the error Keras 3 gives, the Keras 2 spelling, the rewrite."""

    name: str
    error: re.Pattern[str]  # what the failure says under Keras 3
    code: re.Pattern[str]  # the Keras 2 spelling in the student's line
    new: str  # replacement for ``code`` (a re.sub template) in that line
    why: str
    rewrite: bool = True  # False: the line cannot be rewritten, the note says what to do


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


DRIFTS: tuple[Drift, ...] = (
    Drift("lr", _rx(r"Argument\(s\) not recognized: \{'lr'|unexpected keyword argument 'lr'"),
          _rx(r"\blr\s*="), "learning_rate=",
          "Optimizers take learning_rate=, no longer lr=."),
    Drift("acc", _rx(r"KeyError: '?acc'?|KeyError\W+acc\b|'acc'|NoneType' and '(float|int)'|"
                     r"'(float|int)' and 'NoneType'|never stopp|did not stop|not stopped"),
          _rx(r"""(?<=['"])acc(?=['"])"""), "accuracy",
          "Keras 3 names the accuracy metric 'accuracy' in logs and in history.history "
          "(compile with metrics=['accuracy']); 'acc' is not there, so logs.get('acc') "
          "is None."),
    Drift("sequential_list", _rx(r"object is not iterable"),
          _rx(r"Sequential\(\s*(?=[A-Za-z_])(?!layers\s*=\s*\[)"), "Sequential([",
          "keras.Sequential takes a list of layers: Sequential([layer, ...]) (close the "
          "list with ']' before the last ')')."),
    Drift("losses_function",
          _rx(r"has no attribute '(mean_squared_error|mean_absolute_error|"
              r"binary_crossentropy|categorical_crossentropy|"
              r"sparse_categorical_crossentropy)'"),
          _rx(r"\b(?:tf\.)?keras\.losses\.(mean_squared_error|mean_absolute_error|"
              r"binary_crossentropy|categorical_crossentropy|"
              r"sparse_categorical_crossentropy)\b"), r"'\1'",
          "Pass the loss by name (loss='mean_squared_error') or as a class "
          "(keras.losses.MeanSquaredError())."),
    Drift("predict_list", _rx(r"Unrecognized data type"),
          _rx(r"\.predict\(\s*(\[[^\]]*\])"), r".predict(np.array(\1)",
          "Keras 3 does not take a plain Python list as input: give a numpy array."),
    Drift("predict_list", _rx(r"Unrecognized data type: x=.*of type <class 'list'>"),
          _rx(r"\.predict\(\s*([A-Za-z_]\w*)\s*(?=[,)])"), r".predict(np.array(\1)",
          "Keras 3 does not take a plain Python list as input: give a numpy array."),
    Drift("set_model", _rx(r"has no setter|can't set attribute|object has no setter"),
          _rx(r"def\s+set_model\b|self\.model\s*="), "",
          "In Keras 3 a callback's model is set by Keras (callback.model is read-only): do "
          "not override set_model or assign self.model; use self.model as Keras sets it.",
          rewrite=False),
    Drift("preprocessing_import",
          _rx(r"cannot import name '\w+' from 'keras\.preprocessing|"
              r"No module named 'keras\.preprocessing\.\w+'"),
          _rx(r"\bfrom\s+keras\.preprocessing\b"), "from tensorflow.keras.preprocessing",
          "Keras 3 has no ImageDataGenerator or Tokenizer in keras.preprocessing; "
          "TensorFlow's tf.keras.preprocessing still has them."),
    Drift("preprocessing_attribute",
          _rx(r"module 'keras\.preprocessing\.\w+' has no attribute"),
          _rx(r"(?<![\w.])keras\.preprocessing\."), "tf.keras.preprocessing.",
          "Keras 3 has no ImageDataGenerator or Tokenizer in keras.preprocessing; "
          "TensorFlow's tf.keras.preprocessing still has them."),
    Drift("experimental_preprocessing",
          _rx(r"has no attribute 'experimental'|No module named '[\w.]*layers\.experimental"),
          _rx(r"\blayers\.experimental\.preprocessing\b"), "layers",
          "The preprocessing layers (Rescaling, Resizing, RandomFlip, …) left "
          "layers.experimental.preprocessing for keras.layers."),
    Drift("legacy_optimizer", _rx(r"keras\.optimizers\.legacy. is not supported in Keras 3"),
          _rx(r"\boptimizers\.legacy\b"), "optimizers",
          "Keras 3 has one family of optimizers: keras.optimizers.Adam (the legacy ones, "
          "once advised for Apple silicon, are gone)."),
    Drift("fit_workers",
          _rx(r"unexpected keyword argument '(workers|use_multiprocessing|max_queue_size)'|"
              r"Argument\(s\) not recognized: \{'(workers|use_multiprocessing|max_queue_size)'"),
          _rx(r"\b(?:workers|use_multiprocessing|max_queue_size)\s*=\s*[^,()\n]+,?\s*"), "",
          "fit no longer takes workers=, use_multiprocessing= or max_queue_size= (a "
          "PyDataset sets them); leave them out."),
    Drift("fit_generator", _rx(r"has no attribute 'fit_generator'"),
          _rx(r"\.fit_generator\("), ".fit(",
          "model.fit takes generators and datasets itself; fit_generator is gone."),
    Drift("evaluate_generator", _rx(r"has no attribute 'evaluate_generator'"),
          _rx(r"\.evaluate_generator\("), ".evaluate(",
          "model.evaluate takes generators itself; evaluate_generator is gone."),
    Drift("predict_generator", _rx(r"has no attribute 'predict_generator'"),
          _rx(r"\.predict_generator\("), ".predict(",
          "model.predict takes generators itself; predict_generator is gone."),
)


def _lines(source: str) -> list[str]:
    return source.splitlines()


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


FRAME = re.compile(r'File "<exercise (\w+)[^>]*>", line (\d+)')


def find_drift(failure: str, source: str,
               others: Mapping[str, str] | None = None) -> DriftNote | None:
    """The first known Keras 2 → 3 drift that explains ``failure`` in the student's code.

    ``failure`` is everything the failure said (error type and text, the traceback of the
    student's frames, the checks' messages); ``source`` is the exercise's cell as it ran
    and ``others`` the other exercises' cells by id (a call such as
    ``train(make_model())`` fails in another exercise's cell). The line is looked for
    first among the lines the traceback names, innermost first, then in the cell.
    """
    if not failure:
        return None
    cells = {**(others or {}), "": source}
    frames = [(ex if ex in cells else "", int(n)) for ex, n in FRAME.findall(failure)]
    frames = [(ex, n) for ex, n in reversed(frames) if 1 <= n <= len(_lines(cells[ex]))]
    own = len(_lines(source))
    order = frames + [("", n) for n in range(1, own + 1) if ("", n) not in frames]
    for drift in DRIFTS:
        if not drift.error.search(failure):
            continue
        for ex, number in order:
            text = _lines(cells[ex])[number - 1]
            if _is_comment(text) or not drift.code.search(text):
                continue
            new = drift.code.sub(drift.new, text) if drift.rewrite else ""
            if drift.name == "sequential_list":
                new = _close_list(new)
            elif drift.name == "fit_workers":  # the arguments left out: no ", )" behind
                new = re.sub(r",\s*\)", ")", new)
            return DriftNote(drift.name, number, text.strip()[:MAX_LINE],
                             (new.strip() or _spelling(drift))[:MAX_LINE], drift.why,
                             ex)
    return None


def _spelling(drift: Drift) -> str:
    """What to write when the line itself cannot be rewritten (set_model)."""
    return "no set_model override; use self.model" if drift.name == "set_model" else drift.new


def _close_list(line: str) -> str:
    """``Sequential([Dense(1))`` → ``Sequential([Dense(1)])``: close the list the rewrite
    opened, before the parenthesis that closes ``Sequential(``."""
    start = line.find("Sequential([")
    if start < 0:
        return line
    depth = 0
    for i in range(start + len("Sequential(["), len(line)):
        ch = line[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                return line[:i] + "]" + line[i:]
            depth -= 1
    return line  # the call goes on over more lines: the note's sentence says what to do
