"""Offline evaluation of top-N recommenders: splits, ranking metrics, the runner, reports."""
