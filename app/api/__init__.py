"""The JSON API under /api/v1, documented by an OpenAPI document generated from the code."""
