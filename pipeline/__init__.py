"""Stance toward foreign troop presence, sentence by sentence: split, weak-label, fine-tune, evaluate."""
