"""The Uppzy API client: the only code in kbsync that speaks HTTP (being built)."""
