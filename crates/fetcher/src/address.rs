//! Which network addresses a fetch may reach.
//!
//! A watched page, a redirect hop or robots.txt must not reach loopback,
//! link-local, private (RFC 1918, `fc00::/7`, CGNAT `100.64.0.0/10`),
//! unspecified, broadcast, multicast or reserved addresses, nor the IPv4
//! forms of those wrapped in IPv6 (mapped, compatible, NAT64, 6to4): a hostile
//! page could otherwise make cartwatch read a router's admin page or a cloud
//! metadata service (`169.254.169.254`) and store it.
//!
//! The check happens where it cannot be raced: [`GuardedResolver`] is the
//! HTTP client's DNS resolver and drops such addresses from every answer, so
//! the address connected to is the address checked. URLs naming an IP
//! literal (which bypass DNS) are checked by [`AddressPolicy::check_url`] for
//! every hop. `[fetch] allow_private = true` lifts the rule; a center's
//! `allow_private_hosts` lifts it for the host names it lists.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use url::{Host, Url};

/// True for addresses a fetch must not reach by default: loopback,
/// link-local, private, CGNAT, unspecified, broadcast, multicast, reserved
/// and documentation ranges, in IPv4 or IPv6, IPv4 embedded in IPv6 included.
pub fn is_private_address(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_private_v4(v4),
        IpAddr::V6(v6) => is_private_v6(v6),
    }
}

fn is_private_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    ip.is_loopback()                          // 127.0.0.0/8
        || ip.is_private()                    // 10/8, 172.16/12, 192.168/16
        || ip.is_link_local()                 // 169.254/16 (cloud metadata)
        || ip.is_unspecified()                // 0.0.0.0
        || ip.is_broadcast()                  // 255.255.255.255
        || ip.is_multicast()                  // 224/4
        || ip.is_documentation()              // 192.0.2/24, 198.51.100/24, 203.0.113/24
        || a == 0                             // 0/8 "this network"
        || (a == 100 && (b & 0xc0) == 64)     // 100.64/10 CGNAT
        || (a == 192 && b == 0 && c == 0)     // 192.0.0/24 IETF assignments
        || (a == 198 && (b & 0xfe) == 18)     // 198.18/15 benchmarking
        || a >= 240 // 240/4 reserved
}

fn is_private_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = embedded_v4(ip) {
        return is_private_v4(v4);
    }
    let first = ip.segments()[0];
    ip.is_loopback()                          // ::1
        || ip.is_unspecified()                // ::
        || ip.is_multicast()                  // ff00::/8
        || (first & 0xfe00) == 0xfc00         // fc00::/7 unique local
        || (first & 0xffc0) == 0xfe80         // fe80::/10 link-local
        || (first & 0xffc0) == 0xfec0         // fec0::/10 site-local (deprecated)
        || (first == 0x2001 && ip.segments()[1] == 0x0db8) // 2001:db8::/32 documentation
        || (first == 0x0100 && ip.segments()[1..4] == [0, 0, 0]) // 100::/64 discard
}

/// The IPv4 address an IPv6 address stands for: mapped (`::ffff:a.b.c.d`),
/// compatible (`::a.b.c.d`, deprecated), NAT64 (`64:ff9b::/96`) and 6to4
/// (`2002:AABB:CCDD::/48`).
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let tail = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }
    if s[..6] == [0, 0, 0, 0, 0, 0] && !ip.is_loopback() && !ip.is_unspecified() {
        return Some(tail);
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return Some(tail);
    }
    if s[0] == 0x2002 {
        return Some(Ipv4Addr::new(
            (s[1] >> 8) as u8,
            s[1] as u8,
            (s[2] >> 8) as u8,
            s[2] as u8,
        ));
    }
    None
}

/// The sentence every refusal ends with, telling the user what to change.
const HOW_TO_ALLOW: &str = "refused: private or local network address (set [fetch] allow_private = true, or list the host in the center's allow_private_hosts, to fetch it)";

/// Where one center's fetches may go, and the HTTP client that enforces it.
#[derive(Debug, Clone)]
pub struct AddressPolicy {
    /// Every address allowed (`[fetch] allow_private = true`).
    allow_all: bool,
    /// Host names (lower case, optionally `host:port`) allowed to be private.
    allowed_hosts: Arc<Vec<String>>,
}

impl AddressPolicy {
    /// A policy: everything when `allow_all`, else public addresses plus
    /// these hosts (`intranet.example`, `10.0.0.5`, `127.0.0.2:8080`).
    pub fn new(allow_all: bool, allowed_hosts: &[String]) -> AddressPolicy {
        AddressPolicy {
            allow_all,
            allowed_hosts: Arc::new(
                allowed_hosts
                    .iter()
                    .map(|h| h.trim().trim_end_matches('.').to_ascii_lowercase())
                    .collect(),
            ),
        }
    }

    /// True when this host (and port) is exempt from the rule.
    fn host_allowed(&self, host: &str, port: Option<u16>) -> bool {
        if self.allow_all {
            return true;
        }
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .trim_end_matches('.')
            .to_ascii_lowercase();
        self.allowed_hosts.iter().any(|allowed| {
            let allowed = allowed.as_str();
            allowed.trim_start_matches('[').trim_end_matches(']') == host
                || port.is_some_and(|port| {
                    allowed == format!("{host}:{port}") || allowed == format!("[{host}]:{port}")
                })
        })
    }

    /// Checks a URL whose host is an IP literal (which never goes through
    /// DNS); host names are checked by the resolver when connecting.
    /// Returns the refusal sentence, naming the URL.
    pub fn check_url(&self, url: &Url) -> Result<(), String> {
        let ip = match url.host() {
            Some(Host::Ipv4(ip)) => IpAddr::V4(ip),
            Some(Host::Ipv6(ip)) => IpAddr::V6(ip),
            _ => return Ok(()),
        };
        let host = url.host_str().unwrap_or_default();
        if is_private_address(ip) && !self.host_allowed(host, url.port_or_known_default()) {
            return Err(format!("{url}: {ip} is {HOW_TO_ALLOW}"));
        }
        Ok(())
    }

    /// Checks a URL against the addresses its host name resolved to (for
    /// clients that resolve names themselves, like the browser): refused
    /// when any of them is private or local and the host is not allowed.
    /// IP literals are checked as by [`AddressPolicy::check_url`].
    pub fn check_resolved(&self, url: &Url, addresses: &[IpAddr]) -> Result<(), String> {
        self.check_url(url)?;
        let host = url.host_str().unwrap_or_default();
        if self.host_allowed(host, url.port_or_known_default()) {
            return Ok(());
        }
        let refused: Vec<String> = addresses
            .iter()
            .filter(|ip| is_private_address(**ip))
            .map(|ip| ip.to_string())
            .collect();
        if refused.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{url}: {host} resolves to {}, which is {HOW_TO_ALLOW}",
                refused.join(", ")
            ))
        }
    }

    /// The DNS resolver enforcing this policy.
    pub fn resolver(&self) -> GuardedResolver {
        GuardedResolver {
            policy: self.clone(),
        }
    }
}

/// A host name resolved only to refused addresses.
#[derive(Debug, thiserror::Error)]
#[error("{host} resolves only to {addresses}: {HOW_TO_ALLOW}")]
pub struct PrivateAddressRefused {
    /// The host name.
    pub host: String,
    /// The addresses it resolved to, comma-separated.
    pub addresses: String,
}

/// True when an error (or any of its sources) is a private-address refusal.
pub fn is_private_refusal(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = current {
        if e.is::<PrivateAddressRefused>() || e.to_string().contains(HOW_TO_ALLOW) {
            return true;
        }
        current = e.source();
    }
    false
}

/// The system resolver, minus refused addresses: a name whose every address
/// is refused fails with [`PrivateAddressRefused`].
#[derive(Debug, Clone)]
pub struct GuardedResolver {
    policy: AddressPolicy,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let policy = self.policy.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let resolved: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            // The port is not known here; an allow-list entry with a port
            // is matched by `check_url` for literals only.
            if policy.host_allowed(&host, None) {
                return Ok(Box::new(resolved.into_iter()) as reqwest::dns::Addrs);
            }
            let (public, refused): (Vec<SocketAddr>, Vec<SocketAddr>) = resolved
                .into_iter()
                .partition(|addr| !is_private_address(addr.ip()));
            if public.is_empty() && !refused.is_empty() {
                let addresses = refused
                    .iter()
                    .map(|a| a.ip().to_string())
                    .collect::<Vec<_>>()
                    .join(", ");
                tracing::debug!(host = %host, addresses = %addresses, "private addresses refused");
                return Err(Box::new(PrivateAddressRefused { host, addresses })
                    as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn private(text: &str) -> bool {
        is_private_address(text.parse().unwrap())
    }

    #[test]
    fn ipv4_private_and_local_ranges_are_refused() {
        for ip in [
            "127.0.0.1",
            "127.255.0.9",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.254",
            "0.0.0.0",
            "0.1.2.3",
            "255.255.255.255",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "192.0.0.8",
            "198.18.0.1",
        ] {
            assert!(private(ip), "{ip} must be refused");
        }
        for ip in [
            "8.8.8.8",
            "1.1.1.1",
            "172.15.255.255",
            "172.32.0.1",
            "100.63.255.255",
            "100.128.0.1",
            "169.255.0.1",
            "93.184.216.34",
        ] {
            assert!(!private(ip), "{ip} is public");
        }
    }

    #[test]
    fn ipv6_private_local_and_mapped_forms_are_refused() {
        for ip in [
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "febf::1",
            "fec0::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:10.0.0.1",
            "::ffff:7f00:1",
            "::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "2002:c0a8:0101::1",
            "2001:db8::1",
        ] {
            assert!(private(ip), "{ip} must be refused");
        }
        for ip in [
            "2606:4700:4700::1111",
            "2001:4860:4860::8888",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:0808:0808::1",
        ] {
            assert!(!private(ip), "{ip} is public");
        }
    }

    #[test]
    fn literal_urls_are_checked_against_the_allow_list() {
        let url = |u: &str| Url::parse(u).unwrap();
        let strict = AddressPolicy::new(false, &[]);
        let err = strict
            .check_url(&url("http://169.254.169.254/latest/meta-data/"))
            .unwrap_err();
        assert!(err.contains("169.254.169.254"), "{err}");
        assert!(err.contains("allow_private"), "{err}");
        assert!(strict
            .check_url(&url("http://[::ffff:127.0.0.1]:80/"))
            .is_err());
        assert!(strict.check_url(&url("http://8.8.8.8/")).is_ok());
        assert!(strict.check_url(&url("http://example.org/")).is_ok());

        let hosts = vec!["127.0.0.2".to_string(), "127.0.0.3:8080".to_string()];
        let listed = AddressPolicy::new(false, &hosts);
        assert!(listed.check_url(&url("http://127.0.0.2:9/x")).is_ok());
        assert!(listed.check_url(&url("http://127.0.0.3:8080/x")).is_ok());
        assert!(listed.check_url(&url("http://127.0.0.3:8081/x")).is_err());
        assert!(listed.check_url(&url("http://127.0.0.1:9/x")).is_err());

        let all = AddressPolicy::new(true, &[]);
        assert!(all.check_url(&url("http://127.0.0.1/")).is_ok());
    }

    #[test]
    fn resolved_names_are_refused_when_any_address_is_private() {
        let url = Url::parse("http://intranet.example:8080/a").unwrap();
        let public: IpAddr = "93.184.216.34".parse().unwrap();
        let private: IpAddr = "10.1.2.3".parse().unwrap();
        let policy = AddressPolicy::new(false, &[]);
        assert!(policy.check_resolved(&url, &[public]).is_ok());
        let err = policy.check_resolved(&url, &[public, private]).unwrap_err();
        assert!(
            err.contains("10.1.2.3") && err.contains("allow_private"),
            "{err}"
        );
        let allowed = AddressPolicy::new(false, &["intranet.example:8080".into()]);
        assert!(allowed.check_resolved(&url, &[private]).is_ok());
        assert!(AddressPolicy::new(true, &[])
            .check_resolved(&url, &[private])
            .is_ok());
        let literal = Url::parse("http://127.0.0.2/").unwrap();
        assert!(policy.check_resolved(&literal, &[]).is_err());
    }

    #[tokio::test]
    async fn the_resolver_refuses_names_resolving_to_loopback() {
        use reqwest::dns::Resolve;
        let strict = AddressPolicy::new(false, &[]).resolver();
        let error = match strict.resolve("localhost".parse().unwrap()).await {
            Ok(addrs) => panic!("localhost resolved to {:?}", addrs.collect::<Vec<_>>()),
            Err(error) => error,
        };
        assert!(is_private_refusal(error.as_ref()), "{error}");
        assert!(error.to_string().contains("localhost"), "{error}");

        let listed = AddressPolicy::new(false, &["LocalHost".to_string()]).resolver();
        let addrs: Vec<SocketAddr> = listed
            .resolve("localhost".parse().unwrap())
            .await
            .unwrap()
            .collect();
        assert!(addrs.iter().all(|a| a.ip().is_loopback()) && !addrs.is_empty());
    }
}
