//! Full logins per second against a running portal: for each of many distinct
//! contacts, "Send code", read the code from the dev outbox (the database's `outbox`
//! table, as `/dev/outbox` shows it), and "Log in". Used by `scripts/bench`.
//!
//! One task reads the outbox for every client: the rows after the last one it saw,
//! every 2 ms, by primary key, and hands each code to the client waiting for it.
//! (Until issue 22's last round, each of the 64 clients looked for its own code
//! every 5 ms by recipient, a column with no index: up to 12,800 scans a second of a
//! growing table, on the two cores the portal runs on, counted as the portal's.)
//!
//! Usage: logins <base URL> <DATABASE_URL> <contacts> <concurrency> [setup|baseline]
//! `setup` adds the contacts `bench{i}@example.com` to the database and exits.
//! `baseline` measures `GET /healthz` round trips instead, the floor any request
//! pays. Otherwise prints one JSON line: count, seconds, per_second, p50_ms, p99_ms,
//! the medians of the three parts of a login (send, delivery, log_in) and the p99 of
//! "Log in" (log_in_p99_ms).

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use server::store::{Store, sql};
use tokio::sync::oneshot;

/// The clients waiting for a code, by recipient.
type Waiting = Arc<Mutex<HashMap<String, oneshot::Sender<String>>>>;

#[tokio::main]
async fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let [_, base, db, contacts, concurrency, rest @ ..] = args.as_slice() else {
        return Err("usage: logins <base URL> <DATABASE_URL> <contacts> <concurrency> [baseline]".into());
    };
    let contacts: usize = contacts.parse().map_err(|e| format!("contacts: {e}"))?;
    let concurrency: usize = concurrency.parse().map_err(|e| format!("concurrency: {e}"))?;
    let baseline = rest.first().is_some_and(|a| a == "baseline");
    // The portal under test has migrated the database to its own version, which may
    // be an earlier commit's: it is used as it is.
    let store = Store::open_as_migrated(db).await.map_err(|e| e.to_string())?;
    if rest.first().is_some_and(|a| a == "setup") {
        let region = domain::Region::parse("DK").map_err(|e| e.to_string())?;
        for i in 0..contacts {
            let new = server::contacts::new_contact("Bench", Some(&format!("bench{i}@example.com")), None, &[], region)?;
            store.add_contact(&new, domain::Timestamp(0)).await.map_err(|e| e.to_string())?;
        }
        return Ok(());
    }
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(concurrency)
        .build()
        .map_err(|e| e.to_string())?;
    let next = Arc::new(AtomicUsize::new(0));
    let waiting: Waiting = Arc::default();
    let reader = (!baseline).then(|| tokio::spawn(read_outbox(store.clone(), waiting.clone())));
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (client, waiting, next, base) = (client.clone(), waiting.clone(), next.clone(), base.clone());
            tokio::spawn(async move {
                let mut times = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= contacts {
                        return Ok::<_, String>(times);
                    }
                    let t = Instant::now();
                    let parts = if baseline {
                        client.get(format!("{base}/healthz")).send().await.map_err(|e| e.to_string())?;
                        [Duration::ZERO; 3]
                    } else {
                        log_in(&client, &waiting, &base, i).await?
                    };
                    times.push((t.elapsed(), parts));
                }
            })
        })
        .collect();
    let mut times = Vec::new();
    for task in tasks {
        times.extend(task.await.map_err(|e| e.to_string())??);
    }
    let seconds = started.elapsed().as_secs_f64();
    if let Some(reader) = reader {
        if reader.is_finished() {
            return Err(format!("the outbox reader stopped: {:?}", reader.await));
        }
        reader.abort();
    }
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let quantile = |mut v: Vec<Duration>, q: f64| {
        v.sort();
        v.get(((v.len() as f64 * q) as usize).min(v.len().saturating_sub(1))).copied().unwrap_or_default()
    };
    let total: Vec<Duration> = times.iter().map(|(t, _)| *t).collect();
    let part = |k: usize, q: f64| ms(quantile(times.iter().map(|(_, p)| p[k]).collect(), q));
    println!(
        "{{\"count\":{},\"seconds\":{seconds:.2},\"per_second\":{:.0},\"p50_ms\":{:.1},\"p99_ms\":{:.1},\"send_ms\":{:.1},\"delivery_ms\":{:.1},\"log_in_ms\":{:.1},\"log_in_p99_ms\":{:.1}}}",
        times.len(),
        times.len() as f64 / seconds,
        ms(quantile(total.clone(), 0.50)),
        ms(quantile(total, 0.99)),
        part(0, 0.5),
        part(1, 0.5),
        part(2, 0.5),
        part(2, 0.99)
    );
    Ok(())
}

/// One contact's login, from its own client address (the portal trusts the loopback
/// proxy in the bench), as a browser without JavaScript does it.
/// Returns how long "Send code", the delivery to the outbox, and "Log in" took.
async fn log_in(client: &reqwest::Client, waiting: &Waiting, base: &str, i: usize) -> Result<[Duration; 3], String> {
    let started = Instant::now();
    let email = format!("bench{i}@example.com");
    let (tell, told) = oneshot::channel();
    waiting.lock().map_err(|e| e.to_string())?.insert(email.clone(), tell);
    let ip = format!("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, (i & 255).max(1));
    let asked = client
        .post(format!("{base}/api/login/request-code"))
        .header("origin", base)
        .header("accept", "text/html")
        .header("x-forwarded-for", &ip)
        .form(&[("identifier", email.as_str()), ("channel", "email"), ("next", "/")])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let flow = asked
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("__Host-portal-flow="))
        .and_then(|c| c.split(';').next())
        .map(str::to_string)
        .ok_or_else(|| format!("{email}: no flow cookie ({})", asked.status()))?;
    let sent = Instant::now();
    let code = match tokio::time::timeout(Duration::from_secs(10), told).await {
        Ok(Ok(code)) => code,
        _ => return Err(format!("{email}: no code in the outbox")),
    };
    let delivered = Instant::now();
    let entered = client
        .post(format!("{base}/api/login/verify-code"))
        .header("origin", base)
        .header("accept", "text/html")
        .header("x-forwarded-for", &ip)
        .header("cookie", flow)
        .form(&[("code", code.as_str()), ("next", "/")])
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let logged_in =
        entered.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).any(|c| c.starts_with("__Host-portal-device="));
    if !logged_in {
        return Err(format!("{email}: not logged in ({})", entered.status()));
    }
    Ok([sent - started, delivered - sent, delivered.elapsed()])
}

fn six_digits(text: &str) -> Option<String> {
    let b = text.as_bytes();
    (0..b.len().saturating_sub(5)).find_map(|i| {
        let w = &b[i..i + 6];
        let edge = |j: Option<usize>| j.and_then(|j| b.get(j)).is_some_and(u8::is_ascii_digit);
        (w.iter().all(u8::is_ascii_digit) && !edge(i.checked_sub(1)) && !edge(Some(i + 6))).then(|| String::from_utf8_lossy(w).into_owned())
    })
}

/// Reads the outbox's new rows every 2 ms and gives each code to the client waiting
/// for it. PostgreSQL may commit a higher id before a lower one, so the rows are read
/// from the lowest id not yet seen; a gap older than a second (a rolled-back insert)
/// is stepped over.
async fn read_outbox(store: Store, waiting: Waiting) -> Result<(), String> {
    let mut floor: i64 = sql("SELECT COALESCE(MAX(id), 0) FROM outbox").scalar_one(store.db()).await.map_err(|e| e.to_string())?;
    let mut seen = BTreeSet::new();
    let mut gap_since: Option<Instant> = None;
    loop {
        let rows: Vec<(i64, String, String)> = sql("SELECT id, recipient, body FROM outbox WHERE id > $1 ORDER BY id LIMIT 1000")
            .bind(floor)
            .fetch_all(store.db())
            .await
            .map_err(|e| e.to_string())?;
        for (id, recipient, body) in rows {
            if seen.insert(id)
                && let Some(code) = six_digits(&body)
                && let Some(tell) = waiting.lock().map_err(|e| e.to_string())?.remove(&recipient)
            {
                let _ = tell.send(code);
            }
        }
        while seen.remove(&(floor + 1)) {
            floor += 1;
        }
        match (seen.first(), gap_since) {
            (None, _) => gap_since = None,
            (Some(_), None) => gap_since = Some(Instant::now()),
            (Some(&first), Some(since)) if since.elapsed() > Duration::from_secs(1) => {
                floor = first - 1;
                gap_since = None;
            }
            _ => {}
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}
