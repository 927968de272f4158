"""From alert transitions to notifications: routing to channels and the durable outbox."""
