"""Fixture suites, declared contexts and the test runner."""
