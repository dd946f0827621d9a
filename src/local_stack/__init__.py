"""Run the whole pipeline on one machine: moto, a Bedrock emulator, a local gateway and a worker runner."""
