"""Sync: plan and apply approved, changed content to Uppzy targets."""
