//! Policy: findings and coverage in, a verdict out. Severity overrides and disabled
//! rules, waivers, the baseline, thresholds and the coverage policy. No I/O.

pub mod baseline;
pub mod outcome;
pub mod overrides;
pub mod verdict;
pub mod waivers;

pub use baseline::Baseline;
pub use outcome::{PolicyInputs, PolicyOutcome, apply_policy};
pub use verdict::{Verdict, evaluate};
