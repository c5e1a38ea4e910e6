"""Callback probes on the grader's side: what the sandbox is asked to feed, and what a
correct callback does with it.

- ``job_probe``: the probe as the job file carries it (sequences, metrics, Keras
  generation, robustness sequences); never the stop rule or an expected answer;
- ``draw_sequences``: logs sequences the grader draws at grading time, from a seed it picks,
  around the threshold the course declares (``probe.stop``); the notebook never shows them;
- ``robust_sequences``: what an older or a looser Keras may send (None logs, ``acc``
  instead of ``accuracy``, extra keys), for the optional ``callback_robust`` check;
- ``expected_facts``: the observations a correct callback gives on a run's sequences: the
  reference run's for the public ones, the stop rule's for the drawn ones.

Why the stop rule and not the solution's callback for the drawn sequences: the reference
run is cached per solution and the drawn sequences change with every grading run; running
the solution again per submission would double each run. The rule is what the course
declares the exercise to be ("stop at the first epoch with loss below 0.4"), and the
reference build confirms that the solution agrees with it on every public sequence and on
sequences drawn from the assignment's seed (``rule_disagreements``), so the two cannot
silently diverge.
"""

from __future__ import annotations

import dataclasses
import random
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from autograder.course.model import Assignment, CallbackProbe, Exercise, StopRule
from autograder.facts import OK, ExerciseFacts

#: what each entry of an observation list stands for (``kind`` in the expected facts)
PUBLIC, DRAWN, ROBUST = "public", "drawn", "robust"
REFERENCE_DRAWS = 8  # sequences drawn from the assignment's seed to confirm a stop rule


def keras_of(assignment: Assignment) -> int:
    """The Keras generation an assignment runs (3 unless it says ``keras: 2``)."""
    return assignment.keras


def job_probe(probe: CallbackProbe, keras: int, drawn: Sequence[Sequence[Mapping[str, float]]]
              = (), robust: bool = False) -> dict[str, Any]:
    """The probe as the sandbox gets it: every sequence to feed, in order."""
    return {
        "sequences": [[dict(x) for x in s] for s in (*probe.sequences, *drawn)],
        "metrics": list(probe.metrics),
        "keras": keras,
        "robust": robust_sequences(probe) if robust else [],
    }


def public_probe(ex: Exercise, keras: int) -> dict[str, Any]:
    """What the reference run and the notebook's ``check()`` feed: the public examples
    (and the robustness sequences when the exercise has a ``callback_robust`` check)."""
    assert ex.probe is not None
    return job_probe(ex.probe, keras, robust=has_robust(ex))


def has_robust(ex: Exercise) -> bool:
    """Whether an exercise's callback is also fed the robustness sequences."""
    return any(c.check == "callback_robust" for c in ex.checks)


def draw_sequences(probe: CallbackProbe, seed: int, count: int | None = None
                   ) -> list[list[dict[str, float]]]:
    """``count`` logs sequences around the stop rule's threshold, from ``seed``.

    Each sequence stays on the running side of the threshold until an epoch drawn at
    random, where it crosses (one sequence in four never crosses); some epochs sit exactly
    on the threshold, which a strict comparison must not stop at.
    """
    rule = probe.stop
    if rule is None:
        return []
    rng = random.Random(seed)
    n = probe.draw if count is None else count
    out = []
    for i in range(n):
        length = rng.randint(3, 7)
        cross = None if i % 4 == 3 else rng.randint(0, length - 1)
        seq = []
        for epoch in range(length):
            if cross is not None and epoch == cross:
                value = _side(rule, rng, stop=True)
            elif rng.random() < 0.2:
                value = rule.threshold  # on the threshold: no stop for < or >
            else:
                value = _side(rule, rng, stop=False)
            seq.append(_logs(probe, rule.metric, value, rng))
            if cross is not None and epoch == cross:
                break
        out.append(seq)
    return out


def _side(rule: StopRule, rng: random.Random, *, stop: bool) -> float:
    t = rule.threshold
    width = max(abs(t) * 0.5, 0.05)
    gap = rng.choice((0.0005, 0.001, 0.01)) if rng.random() < 0.4 else rng.uniform(0.001, width)
    up = (rule.above is not None) == stop  # which side of the threshold
    value = t + gap if up else t - gap
    if _bounded(rule.metric):
        value = min(max(value, 0.0), 1.0)
        if rule.stops({rule.metric: value}) != stop:  # clipped onto the wrong side
            value = t + (1e-4 if up else -1e-4)
    return round(value, 4)


def _bounded(metric: str) -> bool:
    return "acc" in metric or metric in ("precision", "recall", "auc")


def _logs(probe: CallbackProbe, metric: str, value: float,
          rng: random.Random) -> dict[str, float]:
    logs = {}
    for key in ("loss", *probe.metrics):
        logs[key] = round(rng.uniform(0.3, 0.99) if _bounded(key) else rng.uniform(0.05, 1.2),
                          4)
    logs[metric] = value
    return logs


def robust_sequences(probe: CallbackProbe) -> list[list[Any]]:
    """What other Keras versions or a loose caller send: None logs, ``acc``, extra keys."""
    first = [dict(x) for x in probe.sequences[0]]
    renamed = [{("acc" if k == "accuracy" else k): v for k, v in logs.items()}
               for logs in first]
    extra = [{**logs, "val_loss": logs.get("loss", 0.5), "learning_rate": 0.001,
              **{f"val_{m}": logs[m] for m in probe.metrics if m in logs}} for logs in first]
    return [[None, *first], renamed, extra]


def stops_at(rule: StopRule, sequence: Sequence[Mapping[str, float]]) -> int | None:
    """The epoch after which a correct callback stops (None: it runs every epoch)."""
    for epoch, logs in enumerate(sequence):
        if rule.stops(logs):
            return epoch
    return None


def expected_facts(ex: Exercise, reference: ExerciseFacts,
                   drawn: Sequence[Sequence[Mapping[str, float]]]) -> ExerciseFacts:
    """The observations a correct callback gives on a grading run's sequences, in the order
    the sandbox feeds them: the reference run's on the public sequences, the stop rule's on
    the drawn ones, then the reference run's on the robustness sequences (``kind`` says
    which is which; only not raising is expected of the last)."""
    probe = ex.probe
    if probe is None or probe.stop is None or not isinstance(reference.value, list):
        return reference
    rows = [r for r in reference.value if isinstance(r, dict)]
    public = [{**r, "kind": PUBLIC} for r in rows if not r.get("robust")]
    robust = [{**r, "kind": ROBUST} for r in rows if r.get("robust")]
    drawn_rows = [{"stopped_at": stops_at(probe.stop, s), "logs": [dict(x) for x in s],
                   "kind": DRAWN} for s in drawn]
    return dataclasses.replace(reference, status=OK, value=[*public, *drawn_rows, *robust])


def grading_seed() -> int:
    """A seed for one grading run's drawn sequences, picked by the grader."""
    return secrets.randbits(31)


def rule_disagreements(ex: Exercise, observed: Any, drawn: Sequence[Sequence[Any]]) -> list[str]:
    """Where the solution's callback disagrees with the declared stop rule (reference build).

    ``observed`` lists the solution's observations on the public sequences, then ``drawn``.
    """
    probe = ex.probe
    if probe is None or probe.stop is None or not isinstance(observed, list):
        return []
    sequences = [*probe.sequences, *drawn]
    problems = []
    for i, (seq, seen) in enumerate(zip(sequences, observed, strict=False)):
        want = stops_at(probe.stop, seq)
        got = seen.get("stopped_at") if isinstance(seen, dict) else None
        if got != want or (isinstance(seen, dict) and seen.get("error")):
            which = f"public sequence {i + 1}" if i < len(probe.sequences) else \
                f"a drawn sequence ({[dict(x) for x in seq]})"
            problems.append(f"{ex.id}: on {which} the solution's callback stops at "
                            f"{_epoch(got)}, the stop rule at {_epoch(want)}"
                            + (f" (it raised {seen['error']})" if seen.get("error") else ""))
    return problems


def _epoch(at: Any) -> str:
    return "no epoch" if at is None else f"epoch {int(at) + 1}"


Drawn = dict[str, list[list[dict[str, float]]]]


def with_drawn(program: Any, assignment: Assignment, seed: int,
               count: int | None = None) -> tuple[Any, Drawn]:
    """``program`` whose callback probes also feed sequences drawn from ``seed`` (and the
    robustness sequences); the drawn sequences per exercise, for ``expected_facts``."""
    drawn: Drawn = {}
    calls = []
    for call in program.calls:
        ex = assignment.exercise(call.id)
        if ex.probe is None or call.record != "callback":
            calls.append(call)
            continue
        drawn[ex.id] = draw_sequences(ex.probe, seed + _offset(ex.id), count)
        calls.append(dataclasses.replace(call, probe=job_probe(
            ex.probe, keras_of(assignment), drawn[ex.id], robust=has_robust(ex))))
    return dataclasses.replace(program, calls=tuple(calls)), drawn


def _offset(name: str) -> int:
    return sum(ord(c) * 31 ** i for i, c in enumerate(name)) % 100_003
