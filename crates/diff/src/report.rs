//! The self-contained HTML report of `cartwatch report` (the run/report issue writes it).
