//! Steps lock what they decide on, not the portal: a step waits for another only when
//! they share a key (a network, a flow, an identifier, a contact, the SMS budget), and
//! steps over overlapping keys, in any order, never wait for each other in a circle.

use std::time::{Duration, Instant};

use domain::Channel;
use server::clock::Clock;
use server::store::Lock;

use crate::helpers::{Browser, TestApp, spawn_app_with};

async fn portal() -> TestApp {
    // Limits high enough that the steps below do their work instead of being refused.
    let app = spawn_app_with(&[
        ("PORTAL_TRUSTED_PROXIES", "127.0.0.1"),
        ("PORTAL_IP_CODE_REQUESTS_PER_HOUR", "1000"),
        ("PORTAL_IP_VERIFICATIONS_PER_HOUR", "1000"),
        ("PORTAL_IDENTIFIER_CODES_PER_HOUR", "1000"),
        ("PORTAL_IDENTIFIER_CODES_PER_DAY", "1000"),
        ("PORTAL_CONTACT_FAILURES_PER_DAY", "1000"),
        ("PORTAL_SMS_PREFIX_PER_HOUR", "1000"),
        ("PORTAL_SMS_PER_HOUR", "1000"),
    ])
    .await;
    assert!(app.db.is_postgres(), "the postgres:: tests need TEST_DATABASE_URL naming a PostgreSQL server");
    app
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_waits_only_for_a_step_that_shares_its_keys() {
    let app = portal().await;
    let ada = app.add_contact("Ada", Some("ada@example.com"), None, &[]).await;
    app.add_contact("Grace", Some("grace@example.com"), None, &[]).await;

    // Another step (an administrator opting Ada out, say) holds Ada's contact.
    let mut held = app.store.begin().await.unwrap();
    held.lock(&[Lock::Contact(ada.id)]).await.unwrap();

    // Grace's login, from another network, does not wait for it.
    let grace = app.browser_from("198.51.100.2");
    let started = Instant::now();
    let asked = tokio::time::timeout(Duration::from_secs(4), grace.request_code("grace@example.com", Channel::Email)).await;
    assert!(asked.is_ok_and(|page| page.status == 200), "Grace's step did not wait for Ada's lock");
    let unrelated = started.elapsed();

    // Ada's own request does, until that step ends, and then goes through.
    let ada_browser = app.browser_from("198.51.100.3");
    let mut waiting = tokio::spawn(async move { ada_browser.request_code("ada@example.com", Channel::Email).await });
    let early = tokio::time::timeout(Duration::from_millis(700), &mut waiting).await;
    assert!(early.is_err(), "Ada's step went ahead while her contact was locked");
    held.commit().await.unwrap();
    let page = tokio::time::timeout(Duration::from_secs(4), waiting).await.expect("Ada's step ends once the lock is gone").unwrap();
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(app.latest_code("ada@example.com").await.len() == 6, "and her code is sent");
    eprintln!("locks: an unrelated step took {unrelated:?} while a contact was held");
}

/// A tiny deterministic generator: the same run every time, no dependency.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, sides: usize) -> usize {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as usize % sides
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_steps_over_overlapping_keys_in_random_order_all_finish() {
    const TASKS: u64 = 32;
    const STEPS: usize = 8;
    let app = portal().await;
    let token = server::platform::add_token(&app.store, "crm", app.clock.now()).await.unwrap();
    let people = [("ada", "20000001"), ("grace", "20000002"), ("edsger", "20000003")];
    for (name, phone) in people {
        let body = format!(r#"{{"name":"{name}","email":"{name}@example.com","phone":"+45{phone}"}}"#);
        let status = api(&app.base, &token, &format!("/contacts/{name}"), body).await;
        assert!((200..300).contains(&status), "{name}: {status}");
    }
    let networks = ["198.51.100.10", "198.51.100.11", "2001:db8:1::1"];
    let started = Instant::now();
    let runs = (0..TASKS).map(|task| {
        let (base, origin, token, clock) = (app.base.clone(), app.origin.clone(), token.clone(), app.clock.clone());
        tokio::spawn(async move {
            let mut dice = Dice(task);
            let mut answers = Vec::new();
            let browser = Browser::new(&base, &origin).forwarded_from(networks[dice.roll(networks.len())]);
            for _ in 0..STEPS {
                let (name, phone) = people[dice.roll(people.len())];
                // Past the minimum interval between two codes of one contact.
                clock.advance(61);
                let status = match dice.roll(6) {
                    0 => browser.request_code(&format!("{name}@example.com"), Channel::Email).await.status,
                    1 => browser.request_code(&format!("+45{phone}"), Channel::Sms).await.status,
                    2 => browser.resend([Channel::Email, Channel::Sms][dice.roll(2)]).await.status,
                    3 => browser.enter_code("000000").await.status,
                    // The platform moves the contact's email (and back), or opts them out and in.
                    4 => {
                        let email = if dice.roll(2) == 0 { format!("{name}@example.com") } else { format!("{name}.new@example.com") };
                        let body = format!(r#"{{"name":"{name}","email":"{email}","phone":"+45{phone}"}}"#);
                        api(&base, &token, &format!("/contacts/{name}"), body).await
                    }
                    _ => {
                        let out = dice.roll(2) == 0;
                        api(&base, &token, &format!("/contacts/{name}/opt-outs"), format!(r#"{{"email":{out},"sms":false}}"#)).await
                    }
                };
                answers.push(status);
            }
            answers
        })
    });
    let answers: Vec<u16> = tokio::time::timeout(Duration::from_secs(60), futures::future::join_all(runs))
        .await
        .expect("every step finished: none waited in a circle")
        .into_iter()
        .flat_map(Result::unwrap)
        .collect();
    assert_eq!(answers.len(), TASKS as usize * STEPS);
    let failed: Vec<&u16> = answers.iter().filter(|s| **s >= 500).collect();
    assert!(failed.is_empty(), "no step failed (a deadlock is an error on PostgreSQL): {failed:?} of {answers:?}");
    // And they did what they were asked, each kind many times (not refused at the door).
    let store = &app.store;
    let count = |q: &'static str| async move { server::store::sql(q).scalar_one::<i64>(store.db()).await.unwrap() };
    let did = [
        ("codes", count("SELECT count(*) FROM login_codes WHERE sent").await),
        ("wrong codes", count("SELECT count(*) FROM events WHERE kind = 'verification_failed'").await),
        ("address changes", count("SELECT count(*) FROM events WHERE kind = 'contact_saved'").await),
        ("opt-outs", count("SELECT count(*) FROM events WHERE kind = 'opt_out_changed'").await),
    ];
    assert!(did.iter().all(|(_, n)| *n >= 5), "{did:?}");
    eprintln!("locks: {} steps of {TASKS} clients over 3 contacts and 3 networks in {:?}: {did:?}", answers.len(), started.elapsed());
}

async fn api(base: &str, token: &str, path: &str, body: String) -> u16 {
    let sent = reqwest::Client::new()
        .put(format!("{base}/api/v1{path}"))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    sent.status().as_u16()
}
