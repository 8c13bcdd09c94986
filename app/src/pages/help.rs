//! The help article, written for contacts.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HelpPage() -> impl IntoView {
    view! {
        <Title text="Help with logging in"/>
        <main class="card prose">
            <h1>"Help with logging in"</h1>
            <p>
                "You log in with a one-time confirmation code that we send by email or text message (SMS). "
                "After that, this browser remembers you, so you don't need a code every time."
            </p>

            <h2>"I didn't get a code"</h2>
            <ul>
                <li>"Use the email address or mobile number that the sender has registered for you. "
                    "We only send codes to registered addresses, and we can't tell you whether an address is registered."</li>
                <li>"If you have opted out of communication from the sender, you will not get codes. "
                    "Contact the sender to opt in again."</li>
                <li>"Try both options: email and text message."</li>
                <li>"Email: look in your spam or junk folder, and make sure messages from the sender are allowed."</li>
                <li>"Text message: make sure your phone has signal or a working network connection."</li>
            </ul>

            <h2>"I need a new code often"</h2>
            <ul>
                <li>"Private or incognito windows don't keep cookies, so the portal can't remember you when you come back."</li>
                <li>"Automatic cookie deletion (in the browser or a cleaning app) makes the portal forget you too."</li>
                <li>"A new device or another browser has no cookie yet: log in there once with a new code."</li>
            </ul>

            <h2>"I got a code, but I still can't log in"</h2>
            <ul>
                <li>"Use the newest code. When you ask for a new code, the earlier ones stop working."</li>
                <li>"Use the code in the same browser where you asked for it."</li>
                <li>"A code is valid for a limited time and for a few attempts; after that, ask for a new one."</li>
                <li>"A VPN or a shared network (office, school, public Wi-Fi) can hit our limits on requests. "
                    "Try again later, or without the VPN."</li>
                <li>"If you can log in but a message says it has not been published to you, that is not a login problem: "
                    "the sender has not sent that message to you. Contact the sender."</li>
            </ul>

            <p><a href="/login">"Back to logging in"</a></p>
        </main>
    }
}
