//! robots.txt rules for one host, as loaded once per run.
//!
//! Conventions for a robots.txt that does not load (as Google and most
//! crawlers apply them): a 4xx answer means there are no rules (allow all);
//! a 5xx answer means the site is treated as disallowed; a timeout or a
//! connection failure means the host is unreachable, and its pages are not
//! requested (they get that network outcome, not `blocked_by_robots`).

use cartwatch_model::FetchOutcome;
use std::time::Duration;
use texting_robots::Robot;

/// What robots.txt says about a host.
#[derive(Debug)]
pub enum RobotsRules {
    /// No rules apply (robots.txt is off, missing, or answered 4xx).
    AllowAll {
        /// Why, for logs.
        reason: String,
    },
    /// Parsed rules for our user agent.
    Rules {
        /// The robots.txt URL.
        url: String,
        /// The parsed rules.
        robot: Box<Robot>,
    },
    /// Everything is disallowed (robots.txt answered 5xx).
    DisallowAll {
        /// Why, for the page's error.
        reason: String,
    },
    /// robots.txt could not be reached; pages are not requested.
    Unreachable {
        /// `timeout`, `dns`, `connect` or `tls`.
        outcome: FetchOutcome,
        /// Why, for the page's error.
        reason: String,
    },
}

/// Whether a page may be requested.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Go ahead.
    Allowed,
    /// Not requested: the page ends with this outcome and sentence.
    Refused(FetchOutcome, String),
}

/// The robots.txt product token of a User-Agent: `cartwatch/0.1` -> `cartwatch`.
pub fn product_token(user_agent: &str) -> String {
    user_agent
        .split(['/', ' '])
        .next()
        .unwrap_or_default()
        .trim()
        .to_string()
}

impl RobotsRules {
    /// Rules from a robots.txt body served with a 2xx status. A file the
    /// parser rejects is treated as having no rules.
    pub fn parse(url: &str, agent: &str, body: &[u8]) -> RobotsRules {
        match Robot::new(agent, body) {
            Ok(robot) => RobotsRules::Rules {
                url: url.to_string(),
                robot: Box::new(robot),
            },
            Err(error) => RobotsRules::AllowAll {
                reason: format!("{url} could not be parsed ({error}); no rules applied"),
            },
        }
    }

    /// The Crawl-delay for our user agent, if robots.txt sets one.
    pub fn crawl_delay(&self) -> Option<Duration> {
        match self {
            RobotsRules::Rules { robot, .. } => robot
                .delay
                .filter(|d| d.is_finite() && *d > 0.0)
                .map(|d| Duration::from_secs_f64(f64::from(d))),
            _ => None,
        }
    }

    /// May `url` be requested by `agent`?
    pub fn verdict(&self, url: &str, agent: &str) -> Verdict {
        match self {
            RobotsRules::AllowAll { .. } => Verdict::Allowed,
            RobotsRules::Rules { url: robots, robot } => {
                if robot.allowed(url) {
                    Verdict::Allowed
                } else {
                    Verdict::Refused(
                        FetchOutcome::BlockedByRobots,
                        format!(
                            "{robots} disallows this page for user agent {agent:?}; not requested"
                        ),
                    )
                }
            }
            RobotsRules::DisallowAll { reason } => {
                Verdict::Refused(FetchOutcome::BlockedByRobots, reason.clone())
            }
            RobotsRules::Unreachable { outcome, reason } => {
                Verdict::Refused(outcome.clone(), reason.clone())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_product_token_drops_the_version() {
        assert_eq!(product_token("cartwatch/0.1"), "cartwatch");
        assert_eq!(product_token("MyBot"), "MyBot");
    }

    #[test]
    fn rules_for_our_agent_win_over_the_wildcard() {
        let txt = b"User-agent: *\nDisallow: /\n\nUser-agent: cartwatch\nDisallow: /private\nCrawl-delay: 1.5\n";
        let rules = RobotsRules::parse("http://a.test/robots.txt", "cartwatch", txt);
        assert_eq!(
            rules.verdict("http://a.test/public", "cartwatch"),
            Verdict::Allowed
        );
        assert!(matches!(
            rules.verdict("http://a.test/private/x", "cartwatch"),
            Verdict::Refused(FetchOutcome::BlockedByRobots, _)
        ));
        assert_eq!(rules.crawl_delay(), Some(Duration::from_millis(1500)));
    }
}
