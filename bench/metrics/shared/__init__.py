"""What the metric families share: model resolution and loading (``models``, ``model_metric``),
the embedding engine (``embed``), token vectors of a text (``vectors``), summary sentences
(``sentences``) and the lexical word tokeniser (``lexical``). Imports nothing of the families."""
