//! Delivery health: per email domain and SMS country, what went out in the last hour
//! and day, and which destinations are in trouble now ("is it us or them?").

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

use crate::api::admin::{AdminLogOut, admin_delivery};
use crate::pages::failure_text;
use crate::types::{AdminAnswer, DeliveryHealthView, DestinationView, WindowView};

#[component]
pub fn AdminDeliveryPage() -> impl IntoView {
    view! {
        <Title text="Delivery health"/>
        <main class="card wide">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {Suspend::new(async move {
                    match admin_delivery().await {
                        Ok(AdminAnswer::Shown(health)) => shown(health).into_any(),
                        Ok(_) => view! { <p><a href="/admin/login">"Log in as an administrator"</a></p> }.into_any(),
                        Err(e) => view! { <p role="alert">{failure_text(&e)}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </main>
    }
}

fn shown(health: DeliveryHealthView) -> impl IntoView {
    let DeliveryHealthView { admin, destinations, counted, complete } = health;
    let troubled: Vec<String> = destinations.iter().filter_map(|d| d.trouble.clone()).collect();
    let empty = destinations.is_empty();
    view! {
        <div class="bar">
            <span>"Administrator " <strong>{admin}</strong></span>
            <form method="post" action=AdminLogOut::url()><button type="submit" class="link">"Log out"</button></form>
        </div>
        <p class="small"><a href="/admin">"← All contacts"</a></p>
        <h1>"Delivery health"</h1>
        <p>"Messages by recipient email domain and phone country: codes and test messages written in the last hour and the last day. A destination is marked when, in the last hour, at least 3 messages went to it, at least 30 % were deferred, failed or arrived late, and that share is at least twice the day's before it."</p>
        {(troubled.is_empty() && !empty).then(|| view! { <p role="status">"No destination is in trouble now."</p> })}
        {troubled.into_iter().map(|line| view! { <p class="notice notice-alert" role="alert">{line}</p> }).collect_view()}
        {empty.then(|| view! { <p>"Nothing was sent in the last day."</p> })}
        {(!empty).then(|| view! {
            <div class="table-scroll">
                <table class="health">
                    <caption>{if complete {
                        format!("Every message of the last day ({counted})")
                    } else {
                        format!("Counts of every message of the last day; times from its newest {counted}")
                    }}</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Destination"</th>
                            <th scope="col">"Window"</th>
                            <th scope="col">"Sent"</th>
                            <th scope="col">"Accepted"</th>
                            <th scope="col">"Deferred"</th>
                            <th scope="col">"Failed"</th>
                            <th scope="col">"Late"</th>
                            <th scope="col">"Pending"</th>
                            <th scope="col">"Time to accept (median / p95)"</th>
                            <th scope="col">"Time to deliver (median / p95)"</th>
                        </tr>
                    </thead>
                    <tbody>{destinations.into_iter().map(destination).collect_view()}</tbody>
                </table>
            </div>
        })}
    }
}

fn destination(d: DestinationView) -> impl IntoView {
    let marked = d.trouble.is_some();
    let name = format!("{} ({})", d.destination, if d.channel == crate::types::Channel::Email { "email" } else { "SMS" });
    let state = if marked { "in trouble" } else { "" };
    view! {
        <tr class:trouble=marked>
            <th scope="row" rowspan="2">{name} {marked.then(|| view! { <br/><strong class="trouble-mark">{state}</strong> })}</th>
            {window("last hour", d.hour)}
        </tr>
        <tr class:trouble=marked>{window("last day", d.day)}</tr>
    }
}

fn window(label: &'static str, w: WindowView) -> impl IntoView {
    let dash = || "–".to_string();
    view! {
        <td>{label}</td>
        <td>{w.sent}</td>
        <td>{w.accepted}</td>
        <td>{w.deferred}</td>
        <td>{w.failed}</td>
        <td>{w.late}</td>
        <td>{w.pending}</td>
        <td>{w.to_accept.unwrap_or_else(dash)}</td>
        <td>{w.to_deliver.unwrap_or_else(dash)}</td>
    }
}
