//! Prometheus metrics (issue 25), in the text format, served on `PORTAL_METRICS_ADDR`
//! only (off by default; never on the public address).
//!
//! Every label comes from a small fixed set (channel, provider, a reason's stored name,
//! a limit's scope, a request's class, a status class): no address, identifier,
//! network or path is ever a label, so a stranger cannot grow the series.
//!
//! Codes, logins, failures and limits are counted from the event log as it commits
//! (`store::events::measured`), so a metric and the log never disagree; delivery and
//! request times are measured where they happen; the outbox is read when scraped.

use std::sync::OnceLock;
use std::time::Duration;

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// A label set: names and values from fixed sets.
type Labels = Vec<(&'static str, String)>;
type Timed = Family<Labels, Histogram, fn() -> Histogram>;
/// A request's class and status class: both from fixed sets, so a request's time is
/// counted without an allocation.
type RequestLabels = [(&'static str, &'static str); 2];

/// 1 ms to about 33 s, doubling.
fn seconds() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 16))
}

pub struct Metrics {
    registry: Registry,
    codes_requested: Family<Labels, Counter>,
    codes_sent: Family<Labels, Counter>,
    codes_not_sent: Family<Labels, Counter>,
    deliveries: Family<Labels, Counter>,
    delivery_seconds: Timed,
    logins: Family<Labels, Counter>,
    verification_failures: Family<Labels, Counter>,
    limits_hit: Family<Labels, Counter>,
    requests: Family<RequestLabels, Histogram, fn() -> Histogram>,
    database_wait: Histogram,
    database_write: Histogram,
    outbox_depth: Gauge,
    outbox_oldest: Gauge,
}

impl Metrics {
    fn new() -> Metrics {
        let mut registry = Registry::with_prefix("portal");
        let m = Metrics {
            codes_requested: Family::default(),
            codes_sent: Family::default(),
            codes_not_sent: Family::default(),
            deliveries: Family::default(),
            delivery_seconds: Family::new_with_constructor(seconds),
            logins: Family::default(),
            verification_failures: Family::default(),
            limits_hit: Family::default(),
            requests: Family::new_with_constructor(seconds),
            database_wait: seconds(),
            database_write: Histogram::new(exponential_buckets(0.000_1, 2.0, 16)),
            outbox_depth: Gauge::default(),
            outbox_oldest: Gauge::default(),
            registry: Registry::default(),
        };
        registry.register("codes_requested", "Codes asked for (\"Send code\", \"Send a new code\"), by channel", m.codes_requested.clone());
        registry.register("codes_sent", "Code messages a provider took, by channel and provider", m.codes_sent.clone());
        registry.register("codes_not_sent", "Code requests that sent nothing, by channel and reason", m.codes_not_sent.clone());
        registry.register(
            "deliveries",
            "Tries to send a message (codes and test messages), by channel, provider and outcome",
            m.deliveries.clone(),
        );
        registry.register(
            "delivery_seconds",
            "How long a provider took to take or refuse a message, by channel, provider and outcome",
            m.delivery_seconds.clone(),
        );
        registry.register("logins", "Logins, by method (code, passkey)", m.logins.clone());
        registry.register("verification_failures", "Code entries that did not log in, by reason", m.verification_failures.clone());
        registry.register("limits_hit", "Requests refused for a limit, by the limit's scope", m.limits_hit.clone());
        registry.register("http_request_seconds", "Answer times, by request class and status class", m.requests.clone());
        registry.register("database_wait_seconds", "Waits for a database connection and a write transaction", m.database_wait.clone());
        registry.register(
            "database_write_seconds",
            "How long each committed write transaction was open (on SQLite, the one writer's busy time)",
            m.database_write.clone(),
        );
        registry.register("outbox_depth", "Messages waiting to be sent or being sent", m.outbox_depth.clone());
        registry.register("outbox_oldest_due_seconds", "How long the longest-waiting due message has waited", m.outbox_oldest.clone());
        Metrics { registry, ..m }
    }

    pub fn code_requested(&self, channel: &str) {
        self.codes_requested.get_or_create(&vec![("channel", channel.to_string())]).inc();
    }

    pub fn code_sent(&self, channel: &str, provider: &str) {
        self.codes_sent.get_or_create(&vec![("channel", channel.to_string()), ("provider", provider.to_string())]).inc();
    }

    pub fn code_not_sent(&self, channel: &str, reason: &str) {
        self.codes_not_sent.get_or_create(&vec![("channel", channel.to_string()), ("reason", reason.to_string())]).inc();
    }

    /// A try's end: `outcome` is `sent`, `deferred`, `failed` or `expired`.
    pub fn delivery(&self, channel: &str, provider: &str, outcome: &str, took: Duration) {
        let labels = vec![("channel", channel.to_string()), ("provider", provider.to_string()), ("outcome", outcome.to_string())];
        self.deliveries.get_or_create(&labels).inc();
        self.delivery_seconds.get_or_create(&labels).observe(took.as_secs_f64());
    }

    pub fn login(&self, method: &str) {
        self.logins.get_or_create(&vec![("method", method.to_string())]).inc();
    }

    pub fn verification_failed(&self, reason: &str) {
        self.verification_failures.get_or_create(&vec![("reason", reason.to_string())]).inc();
    }

    pub fn limit_hit(&self, scope: &str) {
        self.limits_hit.get_or_create(&vec![("scope", scope.to_string())]).inc();
    }

    /// A request answered: its class ([`class_of`]) and its status.
    pub fn request(&self, class: &'static str, status: u16, took: Duration) {
        let status = match status / 100 {
            1 => "1xx",
            2 => "2xx",
            3 => "3xx",
            4 => "4xx",
            _ => "5xx",
        };
        self.requests.get_or_create(&[("class", class), ("status", status)]).observe(took.as_secs_f64());
    }

    pub fn database_waited(&self, took: Duration) {
        self.database_wait.observe(took.as_secs_f64());
    }

    pub fn database_wrote(&self, took: Duration) {
        self.database_write.observe(took.as_secs_f64());
    }

    /// The outbox as the scrape finds it.
    pub fn outbox(&self, depth: i64, oldest_due_secs: i64) {
        self.outbox_depth.set(depth);
        self.outbox_oldest.set(oldest_due_secs);
    }

    /// Everything, in Prometheus' text format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }
}

/// The process's metrics.
pub fn get() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(Metrics::new)
}

/// A request's class, from its path: a fixed set, never the path itself.
pub fn class_of(path: &str) -> &'static str {
    match path {
        "/healthz" | "/readyz" => "probe",
        _ if path.starts_with("/api/login/") || path.starts_with("/api/passkeys/") || path == "/language" => "step",
        _ if path.starts_with("/api/admin/") || path.starts_with("/admin") => "admin",
        _ if path.starts_with("/api/v1/") => "api",
        _ if path.starts_with("/api/") => "step",
        _ if path.starts_with("/pkg/") => "asset",
        _ if path.starts_with("/hooks/") => "hook",
        _ if path.starts_with("/dev/") => "dev",
        _ => "page",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_classed_by_a_fixed_set_never_by_their_path() {
        let classes: Vec<&str> =
            ["/login", "/api/login/request-code", "/admin/contacts/7", "/api/v1/contacts", "/pkg/portal.css", "/readyz", "/m/x1"]
                .iter()
                .map(|p| class_of(p))
                .collect();
        assert_eq!(classes, ["page", "step", "admin", "api", "asset", "probe", "page"]);
    }

    #[test]
    fn the_text_format_names_each_metric_with_its_help_and_labels() {
        let m = Metrics::new();
        m.login("code");
        m.code_not_sent("email", "not_registered");
        m.delivery("email", "smtp", "sent", Duration::from_millis(40));
        let text = m.render();
        assert!(text.contains("# HELP portal_logins Logins, by method (code, passkey)."), "{text}");
        assert!(text.contains("portal_logins_total{method=\"code\"} 1"), "{text}");
        assert!(text.contains("portal_codes_not_sent_total{channel=\"email\",reason=\"not_registered\"} 1"), "{text}");
        assert!(text.contains("portal_delivery_seconds_count{channel=\"email\",provider=\"smtp\",outcome=\"sent\"} 1"), "{text}");
        assert!(text.ends_with("# EOF\n"), "{text}");
    }
}
