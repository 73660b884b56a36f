//! Progress reporting: an indicatif bar on stderr when it is a terminal,
//! nothing otherwise (tracing events carry the per-page news).

use cartwatch_model::Capture;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// The run's progress bar (hidden when stderr is not a terminal).
#[derive(Debug)]
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// A bar for `pages` pages; drawn only when stderr is a terminal.
    pub fn new(pages: usize) -> Progress {
        let terminal = std::io::stderr().is_terminal();
        let target = if terminal {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(Some(pages as u64), target);
        if terminal {
            // Keep the spinner and clock moving through long politeness waits.
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
        }
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} fetching [{bar:30}] {pos}/{len} pages {elapsed} {wide_msg}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        Progress { bar }
    }

    /// Counts one finished page.
    pub fn page_done(&self, capture: &Capture) {
        self.bar
            .set_message(format!("{} {}", capture.outcome.label(), capture.url));
        self.bar.inc(1);
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
