"""JSON Resume v1.3.1 documents: pydantic models and schema validation."""
