"""Generation of Argo Workflows (and the Kubernetes objects they create) from a project config."""
