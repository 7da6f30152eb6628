//! The IC HTTP interface. (Stub.)
