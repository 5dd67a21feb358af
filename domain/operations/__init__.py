"""What operations watch, read from the database: jobs, queues, workers, the outbox and the
business counts the dashboards show. Every app process reads the same rows, so these figures
agree whichever process is asked."""
