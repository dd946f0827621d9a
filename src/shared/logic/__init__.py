"""Business logic: the use cases behind the handlers. Talks to ports, never to boto3."""
