"""Email: composing standard messages; later the outbox and SMTP delivery."""
