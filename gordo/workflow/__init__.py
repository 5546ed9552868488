"""Project configs: normalisation (config_elements) and Argo workflow generation."""
