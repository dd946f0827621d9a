"""CareerVP CDK application."""
