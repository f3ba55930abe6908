"""What a run writes: the case register's tables, metrics, column dictionary, files and run figures."""
