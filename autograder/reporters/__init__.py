"""Reporters: format result records (JSON, CSV, HTML, the terminal). They never score."""
