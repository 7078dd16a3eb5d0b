"""Customer segments: K-means clusters with personas, rule segments, intent and churn."""
