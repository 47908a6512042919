"""`check`: the gates (one module each), the test run, baselines, shards, reports."""
