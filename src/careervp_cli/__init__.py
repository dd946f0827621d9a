"""The careervp command line: submit, status, events and DLQ operations, locally or on AWS."""
