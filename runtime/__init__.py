"""What every process of the job board shares, below everything else: settings, the clock, logs, the cache
connection and the domain error base. Imports nothing of the project."""
