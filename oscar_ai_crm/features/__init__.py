"""Feature building: interactions for recommenders, customer features for profiles."""
