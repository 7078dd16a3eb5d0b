"""Training, publishing and serving of recommendations (the Django side of recommenders/)."""
