"""Auto-graded exercises for an introductory TensorFlow course."""

__version__ = "0.1.0"
