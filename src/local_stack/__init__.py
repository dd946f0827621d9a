"""Run the whole pipeline on one machine: moto, a Bedrock emulator, a local API gateway and a worker runner."""
