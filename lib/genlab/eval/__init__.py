"""Measuring generated images without downloaded weights: distances, the evaluation classifier, shipped detectors."""
from __future__ import annotations

from genlab.eval.classifier import AttributeClassifier, get_attribute_classifier
from genlab.eval.detectors import animeface_colors, animeface_hit_rate, haar_face_rate, haar_smile_rate
from genlab.eval.distances import distance_report, feature_spread, frechet_distance, kernel_distance
from genlab.eval.scores import animeface_agreement, attribute_accuracy, evaluate_generated, nearest_colour, tag_accuracy

__all__ = [
    "AttributeClassifier", "animeface_agreement", "animeface_colors", "animeface_hit_rate", "attribute_accuracy",
    "distance_report", "evaluate_generated", "feature_spread", "frechet_distance", "get_attribute_classifier",
    "haar_face_rate", "haar_smile_rate", "kernel_distance", "nearest_colour", "tag_accuracy",
]
