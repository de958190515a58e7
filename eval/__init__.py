"""Evaluation suite: question set, metrics, the tutorial-recipe baseline and reports."""
