//! The ceremonies against webauthn-authenticator-rs' software passkey and a real
//! SQLite store. The software passkey makes no discoverable credentials and sends no
//! user handle, so logins name the credential and fill in the handle the way a
//! browser's discoverable credential would; the browser tests use Chromium's virtual
//! authenticator, which does both.

use super::*;
use crate::clock::ManualClock;
use crate::store::NewContact;
use base64::Engine;
use domain::EmailAddress;
use domain::Organisation;
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_rs_proto::AllowCredentials;

const ORIGIN: &str = "http://localhost:3100";

struct World {
    passkeys: Passkeys,
    store: Store,
    clock: ManualClock,
    ada: Contact,
    bob: Contact,
    device: Device,
    _dir: tempfile::TempDir,
}

async fn contact(store: &Store, name: &str, email: &str, now: Timestamp) -> Contact {
    let new = NewContact {
        name: name.into(),
        email: Some(EmailAddress::parse(email).unwrap()),
        phone: None,
        email_opt_out: false,
        sms_opt_out: false,
    };
    let id = store.add_contact(&new, now).await.unwrap();
    store.contact(id).await.unwrap().unwrap()
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&format!("sqlite://{}/p.db", dir.path().display())).await.unwrap();
    let clock = ManualClock::at(Timestamp(1_800_000_000));
    let ada = contact(&store, "Ada", "ada@example.com", clock.now()).await;
    let bob = contact(&store, "Bob", "bob@example.com", clock.now()).await;
    // A browser that logged in with a code just now.
    let device = Device {
        id: 1,
        contact: ada.id,
        created_at: clock.now(),
        last_seen_at: clock.now(),
        revoked: false,
        browser: None,
        welcomed: true,
    };
    let organisation = Organisation::parse("Aarhus Roklub").unwrap();
    let passkeys =
        Passkeys::new(ORIGIN, &organisation, store.clone(), Arc::new(clock.clone())).unwrap().unwrap().without_discoverable_credentials();
    World { passkeys, store, clock, ada, bob, device, _dir: dir }
}

fn authenticator() -> WebauthnAuthenticator<SoftPasskey> {
    // `true`: the software passkey claims user verification, as a phone's would.
    WebauthnAuthenticator::new(SoftPasskey::new(true))
}

fn origin() -> Url {
    Url::parse(ORIGIN).unwrap()
}

async fn register(w: &World, auth: &mut WebauthnAuthenticator<SoftPasskey>) -> StoredPasskey {
    let (options, token) = w.passkeys.start_registration(&w.ada, &w.device).await.unwrap();
    let answer = auth.do_registration(origin(), options).unwrap();
    w.passkeys.finish_registration(token.expose(), &w.ada, &w.device, &answer, Some("Chrome on Linux")).await.unwrap()
}

/// A login ceremony and the authenticator's answer to it, as a browser would send it.
async fn answer(
    w: &World,
    auth: &mut WebauthnAuthenticator<SoftPasskey>,
    stored: &StoredPasskey,
    whose: &Contact,
) -> (String, PublicKeyCredential) {
    let (mut options, token) = w.passkeys.start_login().await.unwrap();
    assert!(options.public_key.allow_credentials.is_empty(), "a discoverable login names no credential");
    let id = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(&stored.credential_id).unwrap();
    options.public_key.allow_credentials.push(AllowCredentials { type_: "public-key".into(), id: id.into(), transports: None });
    let mut answer = auth.do_authentication(origin(), options).unwrap();
    let user = w.store.passkey_user(whose.id, &Uuid::new_v4().to_string()).await.unwrap();
    answer.response.user_handle = Some(Uuid::parse_str(&user).unwrap().as_bytes().to_vec().into());
    (token.expose().to_string(), answer)
}

async fn kinds(w: &World, contact: &Contact) -> Vec<String> {
    w.store.events(Some(contact.id)).await.unwrap().into_iter().map(|e| e.kind().to_string()).collect()
}

#[tokio::test]
async fn a_passkey_saved_after_a_code_login_logs_the_contact_in_without_a_code() {
    let w = world().await;
    let mut auth = authenticator();
    let saved = register(&w, &mut auth).await;
    assert_eq!(saved.contact, w.ada.id);
    assert_eq!(saved.browser.as_deref(), Some("Chrome on Linux"));
    assert!(saved.last_used_at.is_none());

    w.clock.advance(86_400);
    let (ceremony, response) = answer(&w, &mut auth, &saved, &w.ada).await;
    assert_eq!(w.passkeys.finish_login(&ceremony, &response).await.unwrap(), w.ada.id);
    let used = w.store.passkeys_of(w.ada.id).await.unwrap().remove(0);
    assert_eq!(used.last_used_at, Some(w.clock.now()));
    assert!(used.sign_count >= 1, "the software passkey counts its uses: {}", used.sign_count);
    assert_eq!(kinds(&w, &w.ada).await, ["passkey_added", "passkey_login"]);
}

#[tokio::test]
async fn an_answer_is_taken_once_and_only_for_its_own_challenge() {
    let w = world().await;
    let mut auth = authenticator();
    let saved = register(&w, &mut auth).await;
    let (ceremony, response) = answer(&w, &mut auth, &saved, &w.ada).await;
    assert!(w.passkeys.finish_login(&ceremony, &response).await.is_ok());
    // The same answer again: the ceremony is gone.
    assert!(matches!(w.passkeys.finish_login(&ceremony, &response).await, Err(PasskeyError::NoCeremony)));
    // The old answer to a new challenge: it does not verify.
    let (_, fresh) = w.passkeys.start_login().await.unwrap();
    let replayed = w.passkeys.finish_login(fresh.expose(), &response).await;
    assert!(matches!(replayed, Err(PasskeyError::Refused(_))), "{replayed:?}");
    assert_eq!(kinds(&w, &w.ada).await.last().map(String::as_str), Some("passkey_refused"));
    // A made-up ceremony.
    assert!(matches!(w.passkeys.finish_login("not-a-token", &response).await, Err(PasskeyError::NoCeremony)));
}

#[tokio::test]
async fn a_ceremony_lasts_five_minutes() {
    let w = world().await;
    let mut auth = authenticator();
    let saved = register(&w, &mut auth).await;
    let (ceremony, response) = answer(&w, &mut auth, &saved, &w.ada).await;
    w.clock.advance(CEREMONY_SECS);
    assert!(matches!(w.passkeys.finish_login(&ceremony, &response).await, Err(PasskeyError::NoCeremony)));
}

#[tokio::test]
async fn a_removed_passkey_no_longer_logs_in() {
    let w = world().await;
    let mut auth = authenticator();
    let saved = register(&w, &mut auth).await;
    assert!(!w.passkeys.remove(w.bob.id, saved.id, &domain::Actor::Contact).await.unwrap(), "only its contact's");
    assert!(w.passkeys.remove(w.ada.id, saved.id, &domain::Actor::Contact).await.unwrap());
    let (ceremony, response) = answer(&w, &mut auth, &saved, &w.ada).await;
    assert!(matches!(w.passkeys.finish_login(&ceremony, &response).await, Err(PasskeyError::Refused(_))));
    assert_eq!(kinds(&w, &w.ada).await, ["passkey_added", "passkey_removed", "passkey_refused"]);
}

#[tokio::test]
async fn a_passkey_answering_for_another_contact_is_refused() {
    let w = world().await;
    let mut auth = authenticator();
    let saved = register(&w, &mut auth).await;
    // Ada's credential, presented under Bob's user handle.
    let (ceremony, response) = answer(&w, &mut auth, &saved, &w.bob).await;
    assert!(matches!(w.passkeys.finish_login(&ceremony, &response).await, Err(PasskeyError::Refused(_))));
}

#[tokio::test]
async fn saving_a_passkey_needs_a_code_login_in_this_browser_minutes_ago() {
    let w = world().await;
    w.clock.advance(FRESH_LOGIN_SECS + 1);
    assert!(matches!(w.passkeys.start_registration(&w.ada, &w.device).await, Err(PasskeyError::NotFresh)));
    let revoked = Device { revoked: true, created_at: w.clock.now(), ..w.device.clone() };
    assert!(matches!(w.passkeys.start_registration(&w.ada, &revoked).await, Err(PasskeyError::NotFresh)));

    // A registration begun for Ada cannot be finished as Bob.
    let fresh = Device { created_at: w.clock.now(), ..w.device.clone() };
    let (options, token) = w.passkeys.start_registration(&w.ada, &fresh).await.unwrap();
    let created = authenticator().do_registration(origin(), options).unwrap();
    let as_bob = w.passkeys.finish_registration(token.expose(), &w.bob, &fresh, &created, None).await;
    assert!(matches!(as_bob, Err(PasskeyError::NoCeremony)), "{as_bob:?}");
    assert!(w.store.passkeys_of(w.bob.id).await.unwrap().is_empty() && w.store.passkeys_of(w.ada.id).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_second_passkey_excludes_the_first_and_the_options_ask_for_a_discoverable_one() {
    let w = world().await;
    let mut auth = authenticator();
    let saved = register(&w, &mut auth).await;
    let organisation = Organisation::parse("Aarhus Roklub").unwrap();
    let discoverable = Passkeys::new(ORIGIN, &organisation, w.store.clone(), Arc::new(w.clock.clone())).unwrap().unwrap();
    let (options, _) = discoverable.start_registration(&w.ada, &w.device).await.unwrap();
    let json = serde_json::to_value(&options).unwrap();
    let key = &json["publicKey"];
    assert_eq!(key["authenticatorSelection"]["residentKey"], "required", "{json:#}");
    assert_eq!(key["rp"]["id"], "localhost");
    assert_eq!(key["rp"]["name"], "Aarhus Roklub");
    assert_eq!(key["user"]["name"], "ada@example.com");
    assert_eq!(key["excludeCredentials"][0]["id"], saved.credential_id.as_str());
}

#[test]
fn passkeys_need_a_domain_name_not_an_ip_address() {
    assert!(unavailable_because("http://127.0.0.1:3000").is_some_and(|why| why.contains("http://localhost:3000")));
    assert!(unavailable_because("http://[::1]:3000").is_some());
    assert_eq!(unavailable_because("https://portal.example.com"), None);
    assert_eq!(unavailable_because("http://localhost:3100"), None);
}

#[test]
fn the_backup_flags_are_read_from_the_authenticator_data() {
    // CBOR: "authData" then a 37-byte string: 32 bytes of RP id hash, then flags.
    let with = |flags: u8| [b"\xa1\x68authData\x58\x25".as_slice(), &[0u8; 32], &[flags, 0, 0, 0, 1]].concat();
    assert_eq!(backup_flags(&with(0x05)), (false, false));
    assert_eq!(backup_flags(&with(0x1d)), (true, true));
    assert_eq!(backup_flags(&with(0x0d)), (true, false));
    assert_eq!(backup_flags(b"garbage"), (false, false));
}

/// Issue 20, L9: before, a contact could save passkeys without end.
#[tokio::test]
async fn a_contact_has_at_most_ten_passkeys_and_the_eleventh_is_refused_with_a_sentence() {
    let w = world().await;
    let mut auth = authenticator();
    for _ in 0..MAX_PER_CONTACT {
        register(&w, &mut auth).await;
    }
    let refused = w.passkeys.start_registration(&w.ada, &w.device).await.unwrap_err();
    assert!(matches!(refused, PasskeyError::TooMany), "{refused:?}");
    assert!(refused.to_string().contains("remove one"), "{refused}");
    // Two ceremonies started side by side: the second to finish is refused too.
    let w = world().await;
    for _ in 0..MAX_PER_CONTACT - 1 {
        register(&w, &mut auth).await;
    }
    let (first, t1) = w.passkeys.start_registration(&w.ada, &w.device).await.unwrap();
    let (second, t2) = w.passkeys.start_registration(&w.ada, &w.device).await.unwrap();
    let a1 = auth.do_registration(origin(), first).unwrap();
    let a2 = auth.do_registration(origin(), second).unwrap();
    w.passkeys.finish_registration(t1.expose(), &w.ada, &w.device, &a1, None).await.unwrap();
    let late = w.passkeys.finish_registration(t2.expose(), &w.ada, &w.device, &a2, None).await.unwrap_err();
    assert!(matches!(late, PasskeyError::TooMany), "{late:?}");
    assert_eq!(w.store.passkeys_of(w.ada.id).await.unwrap().len(), MAX_PER_CONTACT as usize);
}

/// Issue 20, L3: before, `prune_ceremonies` had no caller and abandoned ceremonies stayed.
#[tokio::test]
async fn pruning_removes_ceremonies_past_their_time_and_keeps_the_live_ones() {
    let w = world().await;
    w.passkeys.start_registration(&w.ada, &w.device).await.unwrap();
    w.passkeys.start_login().await.unwrap();
    let count = || async { crate::store::sql("SELECT COUNT(*) FROM passkey_ceremonies").scalar_one::<i64>(w.store.db()).await.unwrap() };
    let (retention, limits) = (crate::retention::Retention::default(), crate::login::Limits::default());
    let prune = |now| crate::retention::prune(&w.store, &retention, &limits, now);
    assert_eq!(prune(w.clock.now()).await.unwrap().ceremonies, 0);
    assert_eq!(count().await, 2, "live ceremonies stay");
    w.clock.advance(CEREMONY_SECS + 1);
    w.passkeys.start_login().await.unwrap();
    assert_eq!(prune(w.clock.now()).await.unwrap().ceremonies, 2);
    assert_eq!(count().await, 1, "only the one started since is left");
}
