//! Domain types and rules of thidua. No I/O lives here: the store persists these types, the app
//! composes them into use cases, the web and CLI present them.
#![deny(clippy::unwrap_used)]

pub mod access;
pub mod audit;
pub mod badge;
pub mod ballot;
pub mod calendar;
pub mod cluster;
pub mod commendation;
pub mod date;
pub mod docnum;
pub mod emulation;
pub mod evaluation;
pub mod member;
pub mod org;
pub mod rulebook;
pub mod scoring;
pub mod transfer;
pub mod vi;
