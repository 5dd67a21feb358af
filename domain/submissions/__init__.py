"""Submission of a project to the company's project-management system (issue #10)."""
