//! "Didn't get a code?": always on the code step, from the help article.

use leptos::prelude::*;

#[component]
pub fn CodeHelp() -> impl IntoView {
    view! {
        <details class="help">
            <summary>"Didn't get a code?"</summary>
            <ul>
                <li>"Email: check your spam or junk folder, and that messages from the sender are allowed and not blocked."</li>
                <li>"Text message: check that your phone has signal or a network connection."</li>
                <li>"Try the other channel: email or text message."</li>
                <li>"Use the email address or mobile number the sender has registered for you. A code is only sent to a registered address."</li>
                <li>"If you have opted out of communication from the sender, you will not get codes: contact the sender."</li>
                <li>"Always use the newest code: asking for a new code makes the earlier ones stop working."</li>
            </ul>
            <p><a href="/help">"More help with logging in"</a></p>
        </details>
    }
}
