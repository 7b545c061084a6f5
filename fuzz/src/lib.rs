//! Fuzz targets for bodyseal; see README.md.

#![forbid(unsafe_code)]

mod targets;

pub use targets::*;
