//! End-to-end tests: diff (see ARCHITECTURE.md).
