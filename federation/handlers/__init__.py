"""One module per kind of inbound activity; ``federation.processing`` dispatches to them."""
