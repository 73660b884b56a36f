//! End-to-end tests: report_browser (see ARCHITECTURE.md).
