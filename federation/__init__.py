"""ActivityPub federation (issue 3): actors, signatures, inbox, delivery. Imports models only."""
