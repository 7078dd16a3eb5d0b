"""Customer profiles: activity counters now, features and scores later."""
