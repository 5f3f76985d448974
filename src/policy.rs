//! Policy: findings and coverage in, a verdict out. No I/O.

pub mod verdict;

pub use verdict::{Verdict, evaluate};
