//! End-to-end tests: fetch (see ARCHITECTURE.md).
