"""The course: course.yaml read into frozen dataclasses, validated strictly.

Every error names the key, the line in course.yaml and what to do about it. Check
parameters are validated against each check's own parameter dataclass, so a typo in
a threshold is caught when the course loads, not halfway through a batch.
"""

from autograder.course.load import DATA_PARTS, RECORD_KINDS, SCHEMA_VERSION, load_course
from autograder.course.model import (
    Assignment,
    CallbackProbe,
    Course,
    DataInput,
    DriftPolicy,
    Exercise,
    ExerciseCheck,
)

__all__ = [
    "DATA_PARTS",
    "RECORD_KINDS",
    "SCHEMA_VERSION",
    "Assignment",
    "CallbackProbe",
    "Course",
    "DataInput",
    "DriftPolicy",
    "Exercise",
    "ExerciseCheck",
    "load_course",
]
