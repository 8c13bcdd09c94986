//! Who is asking, for per-network limits: the socket's peer address, unless that peer
//! is a proxy listed in `PORTAL_TRUSTED_PROXIES`; then the nearest address in
//! `X-Forwarded-For` that is not a trusted proxy. Every `X-Forwarded-For` header line
//! is read, in order (a proxy may append its own line after the client's), and a
//! spoofed header from anyone else changes nothing.

use std::net::{IpAddr, SocketAddr};

use app::port::ClientIp;
use axum::extract::{ConnectInfo, Request};

/// Held once, by the edge.
pub struct TrustedProxies(pub Vec<IpAddr>);

impl TrustedProxies {
    /// Whether `peer` is a proxy whose `X-Forwarded-For` is read.
    fn trusts(&self, peer: IpAddr) -> bool {
        self.0.contains(&peer)
    }

    pub fn client_ip(&self, peer: IpAddr, forwarded_for: Option<&str>) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let Some(forwarded_for) = forwarded_for else { return peer };
        for hop in forwarded_for.split(',').rev().map(str::trim) {
            match hop_ip(hop) {
                Some(ip) if self.0.contains(&ip) => continue,
                Some(ip) => return ip,
                // What the proxy wrote is not an address: count the client in a bucket
                // of its own, never as the proxy (whose network is everyone's).
                None => return IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED),
            }
        }
        peer
    }

    /// The client's address, from the socket's peer (when the server was started with it).
    pub fn of(&self, request: &Request) -> Option<ClientIp> {
        let ConnectInfo(peer) = request.extensions().get::<ConnectInfo<SocketAddr>>().copied()?;
        // The header is read only from a trusted proxy (a stranger's is not even copied).
        if !self.trusts(peer.ip()) {
            return Some(ClientIp(peer.ip()));
        }
        // Every line, bytes that are not text included: a line is never dropped whole,
        // or a client could hide the address the proxy appended to it.
        let lines: Vec<String> =
            request.headers().get_all("x-forwarded-for").iter().map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()).collect();
        let forwarded = lines.join(",");
        Some(ClientIp(self.client_ip(peer.ip(), Some(forwarded.as_str()).filter(|f| !f.is_empty()))))
    }
}

/// An address as proxies write it: `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1` or `[2001:db8::1]:5678`.
fn hop_ip(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>().ok().or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_spoofed_header_from_an_untrusted_peer_is_ignored() {
        let proxies = TrustedProxies(vec![ip("10.0.0.1")]);
        assert_eq!(proxies.client_ip(ip("203.0.113.9"), Some("198.51.100.1")), ip("203.0.113.9"));
    }

    #[test]
    fn behind_a_trusted_proxy_the_nearest_untrusted_hop_counts() {
        let proxies = TrustedProxies(vec![ip("10.0.0.1"), ip("10.0.0.2")]);
        assert_eq!(proxies.client_ip(ip("10.0.0.1"), Some("1.1.1.1, 198.51.100.7, 10.0.0.2")), ip("198.51.100.7"));
        assert_eq!(proxies.client_ip(ip("10.0.0.1"), None), ip("10.0.0.1"));
        assert_eq!(proxies.client_ip(ip("10.0.0.1"), Some("1.1.1.1, 198.51.100.7:5678")), ip("198.51.100.7"));
        assert_eq!(proxies.client_ip(ip("10.0.0.1"), Some("[2001:db8::7]:443")), ip("2001:db8::7"));
        assert_eq!(proxies.client_ip(ip("10.0.0.1"), Some("198.51.100.7, garbage")), ip("::"), "never the proxy's own bucket");
        assert_eq!(proxies.client_ip(ip("10.0.0.1"), Some("\u{fffd}x, 198.51.100.7")), ip("198.51.100.7"));
    }
}
