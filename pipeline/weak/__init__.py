"""Weak labelling: labelling functions (``lfs``), label models, the applier (``labeler``) and LF analysis."""
