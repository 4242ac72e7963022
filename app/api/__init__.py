"""HTTP layer: routers only; they validate, call a service and shape the answer."""
