"""`init` and `doctor`: set a repository up, and say what is missing."""
