//! Small views shared by pages, all rendered on the server. `login_card` is the one
//! the browser's script (the `frontend` crate) enhances.

pub mod help;
pub mod login_card;
pub mod notice;
