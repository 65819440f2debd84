"""Training: dataset loaders, label mapping, fitting, calibration, evaluation and the CLI.

Imports flow one way: ``training`` may import ``model``, never ``service``.
"""
