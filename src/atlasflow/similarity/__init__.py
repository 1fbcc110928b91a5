"""Type-aware similarity scores (SPEC §4 `similarity_score`): 0-100, where lenders read
>= 90 as the same entity and < 70 as a case for manual review."""

from atlasflow.similarity.scoring import SCORERS, ScoreError, is_empty, resolve_kind, score

__all__ = ["SCORERS", "ScoreError", "is_empty", "resolve_kind", "score"]
