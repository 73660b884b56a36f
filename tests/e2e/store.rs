//! End-to-end tests: store (see ARCHITECTURE.md).
