//! Reusable pieces of UI.

pub mod account_number_form;
pub mod error_panel;
pub mod layout;
pub mod progress;
pub mod review;
