"""One module per gate; each returns a frozen `GateResult` and knows no reporter."""
