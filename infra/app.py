"""CDK entry point: cdk.json runs ``uv run --frozen python infra/app.py`` from the repository root."""

from careervp.app import main

if __name__ == "__main__":
    main()
