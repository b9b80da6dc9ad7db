"""The sandbox: a local emulator of the Uppzy M2M API (being built)."""
