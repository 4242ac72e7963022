"""Pure maths: update rules, their registry and the 2D objective functions (no web, no I/O)."""
