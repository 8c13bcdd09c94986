//! Small views shared by pages. `login_card` is the one island: the only part of the
//! portal that ships as WASM.

pub mod help;
pub mod login_card;
pub mod notice;
