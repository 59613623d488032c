"""Built-in checks, one module per lint stage."""
