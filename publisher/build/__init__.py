"""The build: stages in order, receipts, limits, watch."""
