"""What every stage shares: bulk writes, files replaced whole, the data folder, the messages a data manager reads,
and the versioned files of rules and policies, read one way."""
