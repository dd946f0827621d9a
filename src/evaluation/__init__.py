"""Tailoring-quality evaluation: the corpus, recorded model responses and the adversarial guard suite."""
