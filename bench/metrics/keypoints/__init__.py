"""Key-point coverage: by token embeddings (``keypoints``) and by an LLM judge (``keypoints-llm``),
their calibration, the judge's prompts and parsing, and kp_recall_faithful (``faithful``)."""
