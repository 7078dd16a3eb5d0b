"""The example shop's demo data generator."""
