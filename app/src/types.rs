//! What the pages render: the view model, from the `domain` crate (the services build
//! it, the pages show it).

pub use domain::view::*;
