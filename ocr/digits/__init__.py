"""Handwritten-digit classifier for boxed digits: numpy inference over ``model.npz``.

Train again with ``python -m ocr.digits.train`` (reproducible; data from wheels + fonts).
"""

from ocr.digits.model import classify, load_model, prepare

__all__ = ["classify", "load_model", "prepare"]
