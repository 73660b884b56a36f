//! End-to-end tests: snapshot (see ARCHITECTURE.md).
