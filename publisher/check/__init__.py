"""Checking built artifacts: validators, PDF text checks, preflight."""
