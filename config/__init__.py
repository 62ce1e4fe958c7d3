"""SIGAP's configuration: the settings from the environment and the files SIGAP reads."""
