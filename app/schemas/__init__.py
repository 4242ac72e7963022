"""Request and response models of the HTTP API, one module per resource: bounds on every number,
extra fields refused."""
