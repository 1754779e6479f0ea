"""Built-in metric plugins, found by discovery in every module here and in the family folders:
``keypoints/``, ``faithfulness/`` (grounding too), ``rubric/``; ``shared/`` holds what they share."""
