"""The original-client driver runs on the client's own Python only: pytest skips the file."""

collect_ignore = ["original_client_driver.py"]
