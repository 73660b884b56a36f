//! End-to-end tests: run (see ARCHITECTURE.md).
