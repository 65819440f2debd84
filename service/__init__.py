"""The HTTP service: a FastAPI app that serves a model and nothing else.

Imports flow one way: ``service`` may import ``model``, never ``training``.
"""
