//! The administrator's pages: server-rendered, forms that work without JavaScript, and
//! no script (the contact's login bundle does not grow).

pub mod card;
pub mod contacts;
pub mod delivery;
pub mod login;
