//! One module per subcommand.

pub(crate) mod demo;
pub(crate) mod inspect;
pub(crate) mod jose;
pub(crate) mod key;
pub(crate) mod proxy;
pub(crate) mod seal;
pub(crate) mod vectors;
