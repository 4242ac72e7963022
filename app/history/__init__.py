"""The run history: the SQLite store, its records, the job listener, contours and exports."""
