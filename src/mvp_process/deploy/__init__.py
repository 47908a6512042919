"""`deploy`: Heroku adapters, the deploy steps, their plan and their report."""
