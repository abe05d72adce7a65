//! Where webhooks may be delivered: never to link-local, metadata, unspecified, multicast,
//! broadcast or reserved addresses in any spelling; loopback and private ranges only when allowed.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

/// What kind of address a target is, when it is not a public one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restricted {
    Loopback,
    /// RFC 1918, shared address space (100.64.0.0/10), unique local IPv6 (fc00::/7) and the
    /// like; also names only a private network resolves (`*.internal`, `*.local`, one label).
    Private,
    LinkLocal,
    /// A cloud instance metadata service.
    Metadata,
    Unspecified,
    Multicast,
    Broadcast,
    /// Reserved for future or special use (240.0.0.0/4, the IETF and benchmarking ranges).
    Reserved,
}

impl Restricted {
    /// The rule, as an error message names it.
    pub fn rule(self) -> &'static str {
        match self {
            Restricted::Loopback => "a loopback address",
            Restricted::Private => "a private network address",
            Restricted::LinkLocal => "a link-local address",
            Restricted::Metadata => "a cloud metadata address",
            Restricted::Unspecified => "an unspecified address",
            Restricted::Multicast => "a multicast address",
            Restricted::Broadcast => "a broadcast address",
            Restricted::Reserved => "a reserved address",
        }
    }
}

/// Which restricted targets a server delivers to.
#[derive(Debug, Clone, Copy)]
pub struct TargetPolicy {
    /// Loopback: while the server itself listens on loopback, or when private targets are allowed.
    pub loopback: bool,
    /// Private ranges (`persona dev serve --allow-private-webhooks`).
    pub private: bool,
}

impl TargetPolicy {
    /// The policy of a server listening on `listen_addr`.
    pub fn new(listen_addr: IpAddr, allow_private: bool) -> Self {
        TargetPolicy {
            loopback: allow_private || listen_addr.is_loopback(),
            private: allow_private,
        }
    }

    /// Whether a target of this kind may receive webhooks.
    fn allows(self, kind: Restricted) -> bool {
        match kind {
            Restricted::Loopback => self.loopback,
            Restricted::Private => self.private,
            _ => false,
        }
    }

    /// Why this policy refuses the host of `url`, if it does (by its spelling: a name is
    /// checked again on what it resolves to, at delivery).
    pub fn refusal(self, url: &Url) -> Option<String> {
        let host = url.host()?;
        let kind = match &host {
            Host::Domain(name) => restricted_name(name),
            Host::Ipv4(ip) => restricted_ip(IpAddr::V4(*ip)),
            Host::Ipv6(ip) => restricted_ip(IpAddr::V6(*ip)),
        }?;
        (!self.allows(kind)).then(|| self.explain(&host.to_string(), kind))
    }

    fn explain(self, target: &str, kind: Restricted) -> String {
        let allowed = match kind {
            Restricted::Loopback => {
                "; loopback targets are allowed only while the server listens on loopback, or with `persona dev serve --allow-private-webhooks`"
            }
            Restricted::Private => {
                "; private targets are allowed only with `persona dev serve --allow-private-webhooks`"
            }
            _ => "",
        };
        format!(
            "`{target}` is {}, where webhooks are not delivered{allowed}",
            kind.rule()
        )
    }
}

/// The kind of a host name that no public DNS name can be: `localhost`, metadata service names,
/// and names of private networks.
pub fn restricted_name(name: &str) -> Option<Restricted> {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    const METADATA: [&str; 4] = [
        "metadata.google.internal",
        "metadata.goog",
        "metadata",
        "instance-data.ec2.internal",
    ];
    const PRIVATE_SUFFIXES: [&str; 5] =
        [".internal", ".local", ".localdomain", ".home.arpa", ".lan"];
    if name == "localhost" || name.ends_with(".localhost") {
        Some(Restricted::Loopback)
    } else if METADATA.contains(&name.as_str()) || name.starts_with("instance-data") {
        Some(Restricted::Metadata)
    } else if !name.contains('.') || PRIVATE_SUFFIXES.iter().any(|s| name.ends_with(s)) {
        Some(Restricted::Private)
    } else {
        None
    }
}

/// The kind of an address that is not a public unicast one; IPv6 addresses that carry an IPv4
/// address (mapped, compatible, NAT64, 6to4) are judged by that address.
pub fn restricted_ip(ip: IpAddr) -> Option<Restricted> {
    match ip {
        IpAddr::V4(ip) => restricted_v4(ip),
        IpAddr::V6(ip) => restricted_v6(ip),
    }
}

fn restricted_v4(ip: Ipv4Addr) -> Option<Restricted> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        _ if ip == Ipv4Addr::new(169, 254, 169, 254) => Restricted::Metadata,
        _ if ip.is_broadcast() => Restricted::Broadcast,
        (0, _, _) => Restricted::Unspecified,
        (127, _, _) => Restricted::Loopback,
        (10, _, _) | (192, 168, _) => Restricted::Private,
        (172, 16..=31, _) => Restricted::Private,
        (100, 64..=127, _) => Restricted::Private,
        (169, 254, _) => Restricted::LinkLocal,
        (192, 0, 0) | (198, 18..=19, _) => Restricted::Reserved,
        (224..=239, _, _) => Restricted::Multicast,
        (240..=255, _, _) => Restricted::Reserved,
        _ => return None,
    })
}

fn restricted_v6(ip: Ipv6Addr) -> Option<Restricted> {
    if ip.is_unspecified() {
        return Some(Restricted::Unspecified);
    }
    if ip.is_loopback() {
        return Some(Restricted::Loopback);
    }
    if let Some(v4) = embedded_v4(ip) {
        return restricted_v4(v4);
    }
    let segments = ip.segments();
    Some(match segments[0] {
        // AWS's IPv6 metadata service, inside the unique local range.
        _ if ip == Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254) => Restricted::Metadata,
        first if first & 0xfe00 == 0xfc00 => Restricted::Private,
        first if first & 0xffc0 == 0xfe80 => Restricted::LinkLocal,
        // Site-local, deprecated, still routed inside some networks.
        first if first & 0xffc0 == 0xfec0 => Restricted::Private,
        first if first & 0xff00 == 0xff00 => Restricted::Multicast,
        _ => return None,
    })
}

/// The IPv4 address an IPv6 address stands for: `::ffff:a.b.c.d` (mapped), `::a.b.c.d`
/// (compatible), `64:ff9b::a.b.c.d` (NAT64) and `2002:aabb:ccdd::` (6to4).
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let low = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    match s {
        [0, 0, 0, 0, 0, 0xffff, hi, lo] | [0, 0, 0, 0, 0, 0, hi, lo] => Some(low(hi, lo)),
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => Some(low(hi, lo)),
        [0x2002, hi, lo, ..] => Some(low(hi, lo)),
        _ => None,
    }
}

/// Resolves names for deliveries and keeps only the addresses the policy allows, so that the
/// address checked is the one connected to (a name that resolves to a private address at
/// delivery time, after a public one when it was registered, is refused).
pub struct FilteringResolver {
    pub policy: TargetPolicy,
}

impl Resolve for FilteringResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed = allowed_addrs(policy, &host, &found)?;
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// The addresses of `found` the policy allows; an error naming the first refused one when none
/// is left.
pub fn allowed_addrs(
    policy: TargetPolicy,
    host: &str,
    found: &[SocketAddr],
) -> Result<Vec<SocketAddr>, String> {
    let allowed: Vec<SocketAddr> = found
        .iter()
        .copied()
        .filter(|addr| restricted_ip(addr.ip()).is_none_or(|kind| policy.allows(kind)))
        .collect();
    if !allowed.is_empty() {
        return Ok(allowed);
    }
    Err(match found.first() {
        Some(addr) => {
            let kind = restricted_ip(addr.ip()).unwrap_or(Restricted::Reserved);
            format!(
                "`{host}` resolves to {}; {}",
                addr.ip(),
                policy.explain(&addr.ip().to_string(), kind)
            )
        }
        None => format!("`{host}` resolves to no address"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRICT: TargetPolicy = TargetPolicy {
        loopback: false,
        private: false,
    };

    fn refusal(policy: TargetPolicy, text: &str) -> Option<String> {
        policy.refusal(&Url::parse(text).unwrap())
    }

    #[test]
    fn every_spelling_of_a_restricted_address_is_refused() {
        let refused = [
            ("http://169.254.169.254/latest/meta-data/", "metadata"),
            ("http://[::ffff:169.254.169.254]/", "metadata"),
            ("http://[::ffff:a9fe:a9fe]/", "metadata"),
            ("http://[::169.254.169.254]/", "metadata"),
            ("http://[64:ff9b::a9fe:a9fe]/", "metadata"),
            ("http://[2002:a9fe:a9fe::1]/", "metadata"),
            ("http://2852039166/", "metadata"),
            ("http://0xa9fea9fe/", "metadata"),
            ("http://0251.0376.0251.0376/", "metadata"),
            ("http://169.254.43518/", "metadata"),
            ("http://0xA9.0xFE.0xA9.0xFE/", "metadata"),
            ("http://metadata.google.internal/", "metadata"),
            ("http://METADATA.GOOGLE.INTERNAL./", "metadata"),
            ("http://[fd00:ec2::254]/", "metadata"),
            ("http://169.254.1.1/", "link-local"),
            ("http://[fe80::1]/", "link-local"),
            ("http://10.0.0.1/", "private"),
            ("http://012.0.0.1/", "private"),
            ("http://167772161/", "private"),
            ("http://172.16.5.4/", "private"),
            ("http://192.168.1.1:8080/", "private"),
            ("http://100.64.0.1/", "private"),
            ("http://[fc00::1]/", "private"),
            ("http://[fd12:3456::1]/", "private"),
            ("http://[::ffff:10.0.0.1]/", "private"),
            ("http://db.internal/", "private"),
            ("http://printer.local/", "private"),
            ("http://intranet/", "private"),
            ("http://localhost:22/", "loopback"),
            ("http://LocalHost./", "loopback"),
            ("http://app.localhost/", "loopback"),
            ("http://127.0.0.1/", "loopback"),
            ("http://127.1/", "loopback"),
            ("http://0x7f000001/", "loopback"),
            ("http://2130706433/", "loopback"),
            ("http://[::1]/", "loopback"),
            ("http://[::ffff:127.0.0.1]/", "loopback"),
            ("http://%6c%6fcalhost/", "loopback"),
            ("http://\u{ff11}\u{ff12}\u{ff17}.0.0.1/", "loopback"),
            ("http://0.0.0.0/", "unspecified"),
            ("http://0/", "unspecified"),
            ("http://[::]/", "unspecified"),
            ("http://224.0.0.1/", "multicast"),
            ("http://[ff02::1]/", "multicast"),
            ("http://255.255.255.255/", "broadcast"),
            ("http://240.0.0.1/", "reserved"),
        ];
        for (url, rule) in refused {
            let why = refusal(STRICT, url).unwrap_or_else(|| panic!("{url} was allowed"));
            assert!(why.contains(rule), "{url}: {why}");
        }
        for url in [
            "https://example.com/hooks",
            "http://93.184.216.34/",
            "http://[2606:2800:220:1:248:1893:25c8:1946]/",
            "http://172.32.0.1/",
            "http://100.128.0.1/",
        ] {
            assert_eq!(refusal(STRICT, url), None, "{url}");
        }
    }

    #[test]
    fn loopback_and_private_targets_follow_the_policy() {
        let loopback_server = TargetPolicy::new(IpAddr::V4(Ipv4Addr::LOCALHOST), false);
        assert_eq!(refusal(loopback_server, "http://127.0.0.1:3000/"), None);
        assert_eq!(refusal(loopback_server, "http://localhost:3000/"), None);
        assert!(refusal(loopback_server, "http://10.0.0.1/").is_some());
        let public_server = TargetPolicy::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), false);
        let why = refusal(public_server, "http://127.0.0.1:3000/").unwrap();
        assert!(why.contains("--allow-private-webhooks"), "{why}");
        let allowed = TargetPolicy::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), true);
        assert_eq!(refusal(allowed, "http://127.0.0.1:3000/"), None);
        assert_eq!(refusal(allowed, "http://10.0.0.1/"), None);
        assert_eq!(refusal(allowed, "http://db.internal/"), None);
        // Never: metadata, link-local and the like, whatever the flag.
        assert!(refusal(allowed, "http://169.254.169.254/").is_some());
        assert!(refusal(allowed, "http://[fe80::1]/").is_some());
        assert!(refusal(allowed, "http://0.0.0.0/").is_some());
    }

    #[test]
    fn resolved_addresses_are_filtered_before_connecting() {
        let addr = |text: &str| SocketAddr::new(text.parse().unwrap(), 0);
        let public = addr("93.184.216.34");
        // A name that resolves to a private address (DNS rebinding) is refused outright.
        let why = allowed_addrs(STRICT, "rebind.example", &[addr("10.1.2.3")]).unwrap_err();
        assert!(why.contains("10.1.2.3") && why.contains("private"), "{why}");
        let why = allowed_addrs(STRICT, "meta.example", &[addr("::ffff:169.254.169.254")]);
        assert!(why.unwrap_err().contains("metadata"));
        // Mixed answers keep only the public addresses.
        assert_eq!(
            allowed_addrs(STRICT, "mixed.example", &[addr("127.0.0.1"), public]).unwrap(),
            vec![public]
        );
        let loopback_server = TargetPolicy::new(IpAddr::V4(Ipv4Addr::LOCALHOST), false);
        assert_eq!(
            allowed_addrs(loopback_server, "localhost", &[addr("127.0.0.1")]).unwrap(),
            vec![addr("127.0.0.1")]
        );
    }

    #[tokio::test]
    async fn the_resolver_refuses_a_name_of_the_loopback_for_a_public_server() {
        let resolver = FilteringResolver { policy: STRICT };
        let refused = resolver.resolve("localhost".parse().unwrap()).await;
        let why = refused.err().expect("localhost was resolved").to_string();
        assert!(why.contains("loopback"), "{why}");
    }
}
