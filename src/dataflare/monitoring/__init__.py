"""Operations: Prometheus metrics (/metrics, or a port of their own) and readiness (/ready)."""
