"""One reader per delivery format; each returns a `ParsedFile` of text columns for the contract's validation."""
