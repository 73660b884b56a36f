//! Webhook notifications for `cartwatch run` (the run/report issue writes it).
