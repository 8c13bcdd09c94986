//! The command line: `serve` (the default), contacts, messages and demo data.
//! Every failure is one line on stderr and a non-zero exit; nothing is half-written.

use std::ffi::OsString;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use domain::Channel;

mod args;
mod dkim;

pub use args::*;
use dkim::dkim;

use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::store::Store;
use domain::{Identifier, Region};

/// Parses arguments; usage errors become one line (help and version print as usual).
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command, ExitCode> {
    match Cli::try_parse_from(args) {
        Ok(cli) => Ok(cli.command.unwrap_or(Command::Serve)),
        Err(e) if e.use_stderr() => {
            let text = e.render().to_string();
            let first = text.lines().next().unwrap_or("invalid arguments");
            eprintln!("{first} (see portal --help)");
            Err(ExitCode::from(2))
        }
        Err(e) => {
            let _ = e.print();
            Err(ExitCode::SUCCESS)
        }
    }
}

pub async fn run(command: Command) -> Result<(), String> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    // Keys are made before the portal is configured to use them.
    if let Command::Dkim(d) = command {
        return dkim(d, clock.as_ref());
    }
    let config = Config::from_env().map_err(|e| e.to_string())?;
    match command {
        Command::Dkim(_) => unreachable!("handled above"),
        Command::Serve => serve(config, clock).await,
        Command::Contact(c) => contact(c, &config, clock.as_ref()).await,
        Command::Message(m) => message(m, &config, clock.as_ref()).await,
        Command::Admin(a) => admin(a, &config, clock.as_ref()).await,
        Command::ApiToken(t) => api_token(t, &config, clock.as_ref()).await,
        Command::Prune => {
            let store = open(&config).await?;
            let pruned =
                crate::retention::prune(&store, &config.retention, &config.limits, clock.now()).await.map_err(|e| e.to_string())?;
            println!("{pruned}");
            Ok(())
        }
        Command::Doctor { who } => {
            let store = open(&config).await?;
            if let Some(reference) = domain::SupportRef::parse(&who) {
                return doctor_reference(&config, store, clock, &reference).await;
            }
            let c = find(&store, &who, config.region).await?;
            let findings = crate::admin::diagnose_contact(&store, &c, config.region, clock.now()).await.map_err(|e| e.to_string())?;
            print!("{}", crate::admin::diagnosis::report(&c, &findings));
            Ok(())
        }
        Command::Demo => {
            let store = open(&config).await?;
            let report = crate::demo::add(&store, config.region, clock.now()).await.map_err(|e| e.to_string())?;
            println!("{report}");
            Ok(())
        }
    }
}

/// `portal doctor K7M-4QX`: the attempts a support reference names, then the checklist
/// of the contact it concerns.
async fn doctor_reference(config: &Config, store: Store, clock: Arc<dyn Clock>, reference: &domain::SupportRef) -> Result<(), String> {
    let now = clock.now();
    let cards = crate::admin::card::Cards {
        store: store.clone(),
        clock,
        region: config.region,
        limits: config.limits.clone(),
        zone: config.zone.clone(),
        outbox: None,
    };
    let found = store.support_refs(reference).await.map_err(|e| e.to_string())?;
    if found.is_empty() {
        return Err(format!("no attempt has the support reference {reference} (references are kept as long as the events)"));
    }
    for attempt in &found {
        let r = cards.reference_view(attempt).await.map_err(|e| e.to_string())?;
        println!("Reference {}, {}: at {}, they were told {}.", r.reference, r.at, r.step, r.told);
        if let Some(typed) = &r.typed {
            println!("  typed: {typed}");
        }
        println!("  network: {}\n  browser: {}", r.network, r.browser.as_deref().unwrap_or("not told"));
        // The view names the contact only while it exists.
        match r.contact.map(crate::store::ContactId) {
            Some(id) => {
                let c = store.contact(id).await.map_err(|e| e.to_string())?.ok_or("the contact was removed")?;
                let findings = crate::admin::diagnose_contact(&store, &c, config.region, now).await.map_err(|e| e.to_string())?;
                print!("\n{}", crate::admin::diagnosis::report(&c, &findings));
            }
            None => println!("  No contact has this address (or the contact was removed): check how they spell it, or add them."),
        }
    }
    Ok(())
}

async fn open(config: &Config) -> Result<Store, String> {
    Store::open_with(&config.database_url, config.database).await.map_err(|e| format!("cannot open {}: {e}", config.database_url))
}

async fn serve(config: Config, clock: Arc<dyn Clock>) -> Result<(), String> {
    if config.dev_loop {
        // Before any text is used: a changed .ftl shows after a restart, not a compile.
        let read = |lang: domain::i18n::Lang| std::fs::read_to_string(format!("domain/locales/{}.ftl", lang.code())).map(|s| (lang, s));
        let sources = domain::i18n::Lang::ALL.into_iter().map(read).collect::<Result<Vec<_>, _>>();
        match sources {
            Ok(sources) => {
                domain::i18n::use_sources(sources);
            }
            Err(e) => return Err(format!("PORTAL_DEV_LOOP=1 reads domain/locales/*.ftl from the working directory: {e}")),
        }
    }
    let crate::start::Portal { service, worker } = crate::start::build(&config, clock.clone()).await.map_err(|e| e.to_string())?;
    if config.is_dev() && service.store().contact_count().await.map_err(|e| e.to_string())? == 0 {
        crate::demo::add(service.store(), config.region, clock.now()).await.map_err(|e| e.to_string())?;
    }
    let listener = tokio::net::TcpListener::bind(config.addr).await.map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
    // Contacts (and the origin check) know the portal by its public address: print
    // that one, and where it listens when the two differ.
    let url = &config.public_url;
    match &config.loopback_alias {
        Some(alias) => println!("Contact portal is running at {url} (listening on {}; {alias} leads there)", config.addr),
        None if *url == format!("http://{}", config.addr) => println!("Contact portal is running at {url}"),
        None => println!("Contact portal is running at {url} (listening on {})", config.addr),
    }
    println!("  Email codes go to {}.", config.delivery.email.describe());
    println!("  Text-message codes go to {}.", config.delivery.sms.describe());
    let other =
        domain::i18n::Lang::ALL.into_iter().filter(|l| *l != config.language).map(|l| l.english_name()).collect::<Vec<_>>().join(", ");
    println!(
        "  Contacts read {} unless their browser asks for {other}; times are in {}.",
        config.language.english_name(),
        config.zone.name()
    );
    match crate::passkeys::unavailable_because(&config.public_url) {
        None if config.loopback_alias.is_some() => println!(
            "  Passkeys can be saved and used at {}: they need a name, so open that address, not an IP address.",
            config.public_url
        ),
        None => println!("  Passkeys can be saved and used at {}.", config.public_url),
        Some(why) => println!("  Passkeys are off: {why}."),
    }
    if config.dev_loop {
        println!("  Dev loop: pages reload when the server restarts; translations are read from domain/locales/.");
    }
    if config.has_dev_outbox() {
        println!("  Log in as a demo contact: {} (email) or {} (text message).", crate::demo::ADA_EMAIL, crate::demo::ADA_PHONE);
        println!("  Codes are not sent anywhere in dev mode: read them at {url}/dev/outbox");
    }
    if let Some(addr) = config.metrics_addr {
        let metrics = tokio::net::TcpListener::bind(addr).await.map_err(|e| format!("cannot listen on {addr} for metrics: {e}"))?;
        println!("  Prometheus metrics: http://{addr}/metrics (keep this address private).");
        let routes = crate::http::metrics::router(service.store().clone(), clock.clone());
        tokio::spawn(async move { crate::http::serve(metrics, routes).await });
    }
    println!("  Stop with Ctrl-C.");
    worker.spawn();
    let store = service.store().clone();
    crate::retention::spawn(store.clone(), config.retention.clone(), config.limits.clone(), clock.clone());
    let router = crate::http::router(&config, service);
    let served = crate::http::serve(listener, router).await.map_err(|e| e.to_string());
    // What the last pages recorded aside is written before the process ends.
    if !store.settle(config.database.acquire_timeout).await {
        tracing::warn!("stopped before every page's record was written");
    }
    served
}

async fn find(store: &Store, who: &str, region: Region) -> Result<crate::store::Contact, String> {
    let id = Identifier::parse(who, region).map_err(|e| e.to_string())?;
    store.find_contact(&id).await.map_err(|e| e.to_string())?.ok_or_else(|| format!("no contact with {id}"))
}

async fn contact(command: ContactCommand, config: &Config, clock: &dyn Clock) -> Result<(), String> {
    match command {
        ContactCommand::Add { name, email, phone, opt_out } => {
            // Parse everything before opening the database: bad input writes nothing.
            let opt_out: Vec<Channel> = opt_out.into_iter().map(Channel::from).collect();
            let new = crate::contacts::new_contact(&name, email.as_deref(), phone.as_deref(), &opt_out, config.region)
                .map_err(|e| e.replace("email, phone or both", "--email, --phone or both"))?;
            let store = open(config).await?;
            let id = store.add_contact(&new, clock.now()).await.map_err(|e| e.to_string())?;
            println!("contact {} added", id.0);
        }
        ContactCommand::List => {
            let store = open(config).await?;
            for c in store.contacts().await.map_err(|e| e.to_string())? {
                let mark = |opted_out: bool| if opted_out { " (opted out)" } else { "" };
                println!(
                    "{}\t{}\temail: {}{}\tphone: {}{}",
                    c.id.0,
                    c.name,
                    c.email.as_ref().map_or("-", |e| e.as_str()),
                    mark(c.email_opt_out && c.email.is_some()),
                    c.phone.as_ref().map_or("-", |p| p.as_str()),
                    mark(c.sms_opt_out && c.phone.is_some()),
                );
            }
        }
        ContactCommand::OptOut { who, channel } | ContactCommand::OptIn { who, channel } if who.trim().is_empty() => {
            let _ = channel;
            return Err("give the contact's email or phone number".into());
        }
        ContactCommand::OptOut { who, channel } => opt(config, &who, channel.into(), true, clock).await?,
        ContactCommand::OptIn { who, channel } => opt(config, &who, channel.into(), false, clock).await?,
        ContactCommand::Remove { who } => {
            let store = open(config).await?;
            let c = find(&store, &who, config.region).await?;
            crate::contacts::remove(&store, &c, &domain::Actor::CommandLine, clock.now(), clock.now_ms())
                .await
                .map_err(|e| e.to_string())?;
            println!("contact {} removed", c.id.0);
        }
    }
    Ok(())
}

/// The rule itself is `contacts::set_opt_out`, shared with every other way in.
async fn opt(config: &Config, who: &str, channel: Channel, out: bool, clock: &dyn Clock) -> Result<(), String> {
    let store = open(config).await?;
    let c = find(&store, who, config.region).await?;
    let report = crate::contacts::set_opt_out(&store, &c, channel, out, &domain::Actor::CommandLine, clock.now(), clock.now_ms())
        .await
        .map_err(|e| e.to_string())?;
    println!("contact {} opted {} of {}", c.id.0, if out { "out" } else { "in" }, channel.as_str());
    if report.withdrawn > 0 {
        println!("contact {}: {} unused code(s) by {} withdrawn", c.id.0, report.withdrawn, channel.as_str());
    }
    if !report.reachable {
        println!("contact {} opted out of everything: {} remembered browser(s) forgotten", c.id.0, report.forgotten);
    }
    Ok(())
}
async fn api_token(command: ApiTokenCommand, config: &Config, clock: &dyn Clock) -> Result<(), String> {
    match command {
        ApiTokenCommand::Add { name } => {
            crate::platform::parse_token_name(&name)?;
            let store = open(config).await?;
            let token = crate::platform::add_token(&store, &name, clock.now()).await?;
            println!("{token}");
            eprintln!("token {name} added: send it as `Authorization: Bearer <token>`; it is not shown again");
        }
        ApiTokenCommand::List => {
            let store = open(config).await?;
            for t in store.api_tokens().await.map_err(|e| e.to_string())? {
                let state = t.revoked_at.map_or_else(|| "in use".to_string(), |r| format!("revoked {}", r.utc()));
                println!("{}\tmade {}\t{state}", t.name, t.created_at.utc());
            }
        }
        ApiTokenCommand::Revoke { name } => {
            let store = open(config).await?;
            crate::platform::revoke_token(&store, &name, clock.now()).await?;
            println!("token {name} revoked");
        }
    }
    Ok(())
}

async fn admin(command: AdminCommand, config: &Config, clock: &dyn Clock) -> Result<(), String> {
    use crate::admin::accounts;
    match command {
        AdminCommand::Add { username, password_stdin } => {
            // Everything is checked before the database is touched.
            let username = accounts::parse_username(&username).map_err(|e| e.to_string())?;
            let password = accounts::read_password(&username, password_stdin)?;
            let store = open(config).await?;
            accounts::add(&store, &username, password, clock.now()).await?;
            println!("administrator {username} added");
        }
        AdminCommand::Passwd { username, password_stdin } => {
            let username = accounts::parse_username(&username).map_err(|e| e.to_string())?;
            let password = accounts::read_password(&username, password_stdin)?;
            let store = open(config).await?;
            accounts::passwd(&store, &username, password, clock.now()).await?;
            println!("administrator {username} has a new password");
        }
        AdminCommand::Remove { username } => {
            let username = accounts::parse_username(&username).map_err(|e| e.to_string())?;
            let store = open(config).await?;
            accounts::remove(&store, &username, clock.now()).await?;
            println!("administrator {username} removed");
        }
        AdminCommand::List => {
            let store = open(config).await?;
            for a in store.admins().await.map_err(|e| e.to_string())? {
                println!("{}\tadded {}\tpassword changed {}", a.username, a.created_at.utc(), a.password_changed_at.utc());
            }
        }
    }
    Ok(())
}

async fn message(command: MessageCommand, config: &Config, clock: &dyn Clock) -> Result<(), String> {
    match command {
        MessageCommand::Add { title, body } => {
            let store = open(config).await?;
            let id = crate::messages::add_message(&store, &title, &body, clock.now()).await?;
            println!("{id}");
        }
        MessageCommand::Publish { message_id, to } => {
            let store = open(config).await?;
            let c = find(&store, &to, config.region).await?;
            store.publish(message_id.trim(), c.id, clock.now()).await.map_err(|e| e.to_string())?;
            println!("message {} published to contact {}", message_id.trim(), c.id.0);
        }
        MessageCommand::List => {
            let store = open(config).await?;
            for m in store.messages().await.map_err(|e| e.to_string())? {
                println!("{}\t{}\t{} recipient(s)\t{}", m.public_id, m.title, m.recipients, m.created_at.utc());
            }
        }
    }
    Ok(())
}
