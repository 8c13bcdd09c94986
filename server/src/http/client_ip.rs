//! Who is asking, for per-network limits: the socket's peer address, unless that peer
//! is a proxy listed in `PORTAL_TRUSTED_PROXIES`; then the nearest address in
//! `X-Forwarded-For` that is not a trusted proxy. Every `X-Forwarded-For` header line
//! is read, in order (a proxy may append its own line after the client's), and a
//! spoofed header from anyone else changes nothing.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use app::port::ClientIp;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;

#[derive(Clone, Default)]
pub struct TrustedProxies(pub Arc<Vec<IpAddr>>);

impl TrustedProxies {
    pub fn client_ip(&self, peer: IpAddr, forwarded_for: Option<&str>) -> IpAddr {
        if !self.0.contains(&peer) {
            return peer;
        }
        let hops = forwarded_for.unwrap_or_default().split(',').rev().map(str::trim);
        for hop in hops {
            match hop.parse::<IpAddr>() {
                Ok(ip) if self.0.contains(&ip) => continue,
                Ok(ip) => return ip,
                Err(_) => break,
            }
        }
        peer
    }
}

pub async fn resolve(State(proxies): State<TrustedProxies>, mut request: Request, next: Next) -> Response {
    if let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>().copied() {
        let lines: Vec<&str> = request.headers().get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
        let forwarded = lines.join(",");
        let ip = proxies.client_ip(peer.ip(), Some(&forwarded).filter(|f| !f.is_empty()).map(String::as_str));
        request.extensions_mut().insert(ClientIp(ip));
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_spoofed_header_from_an_untrusted_peer_is_ignored() {
        let proxies = TrustedProxies(Arc::new(vec![ip("10.0.0.1")]));
        assert_eq!(proxies.client_ip(ip("203.0.113.9"), Some("198.51.100.1")), ip("203.0.113.9"));
    }

    #[test]
    fn behind_a_trusted_proxy_the_nearest_untrusted_hop_counts() {
        let proxies = TrustedProxies(Arc::new(vec![ip("10.0.0.1"), ip("10.0.0.2")]));
        assert_eq!(proxies.client_ip(ip("10.0.0.1"), Some("1.1.1.1, 198.51.100.7, 10.0.0.2")), ip("198.51.100.7"));
        assert_eq!(proxies.client_ip(ip("10.0.0.1"), None), ip("10.0.0.1"));
        assert_eq!(proxies.client_ip(ip("10.0.0.1"), Some("garbage")), ip("10.0.0.1"));
    }
}
