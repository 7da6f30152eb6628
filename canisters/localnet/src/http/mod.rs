//! The IC HTTP interface.
