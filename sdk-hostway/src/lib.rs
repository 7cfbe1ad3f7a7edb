mod generated;
pub use generated::*;
