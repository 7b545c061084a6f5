//! Fuzz targets for bodyseal; see README.md.

mod targets;

pub use targets::*;
