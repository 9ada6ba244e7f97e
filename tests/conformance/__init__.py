"""Helpers of the conformance suites: spec copies and checks (see tests/test_conformance.py)."""
