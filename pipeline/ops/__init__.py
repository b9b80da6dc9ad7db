"""Operations: check, probe, smoke, doctor, eval."""
