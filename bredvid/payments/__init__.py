"""Remuneration: rate tables per municipality and year, the pure line calculation, monthly
payment runs, attest and payroll export."""
