//! The deploy configuration. (Stub.)
