//! The contract between the server-rendered pages and the login page's script
//! (`frontend/`): the headers of the fetch-and-swap protocol and the marks the script
//! looks for in the page.
//!
//! The script works like htmx: it sends the card's plain forms with `fetch`, marked
//! with [`FETCH_HEADER`]; the server answers a redirect it would have sent a form post
//! as `204` with [`LOCATION_HEADER`] instead (a fetch cannot read a redirect), and
//! otherwise with the next server-rendered page, whose card the script swaps in. Without
//! the script every form still works as a plain post.
//!
//! This file has no imports, so the `frontend` crate (WebAssembly, built without this
//! crate's dependencies) includes it by path: the two sides cannot drift apart.

/// Request header the script sets on its `fetch` of a form.
pub const FETCH_HEADER: &str = "x-portal-fetch";
/// Response header carrying where a fetched form post would have redirected (status 204).
pub const LOCATION_HEADER: &str = "x-portal-location";
/// The login card: the element the script swaps for the one in the server's answer.
pub const CARD_ID: &str = "login-card";
/// The element whose `data-*` attributes hold the few sentences the script says itself,
/// in the page's language (the script carries no translations).
pub const TEXTS_ID: &str = "portal-texts";
/// The attribute on the code card with the seconds until "Send a new code" works again.
pub const COOLDOWN_ATTR: &str = "data-cooldown-secs";

/// What every cookie of the portal's name begins with: a request without one is a
/// stranger's (the server serves such a request's login page from memory).
pub const COOKIE_PREFIX: &str = "__Host-portal-";
/// The login flow of this browser: a session cookie.
pub const FLOW_COOKIE: &str = "__Host-portal-flow";
/// The remembered browser.
pub const DEVICE_COOKIE: &str = "__Host-portal-device";
/// An administrator's session.
pub const ADMIN_COOKIE: &str = "__Host-portal-admin";
/// A browser an administrator logged in with.
pub const ADMIN_BROWSER_COOKIE: &str = "__Host-portal-admin-browser";
/// "Not now" to saving a passkey.
pub const PASSKEY_LATER_COOKIE: &str = "__Host-portal-passkey-later";
