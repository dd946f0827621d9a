"""Clients for AWS services other than the job store: the queue, the event bus and the model."""
