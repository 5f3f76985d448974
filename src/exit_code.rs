//! Exit codes, a public contract (DESIGN §3), mapped in this one place.

use crate::policy::Verdict;

/// What the process exits with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// 0: every required check ran and the policy holds.
    Pass = 0,
    /// 1: the policy is violated.
    Fail = 1,
    /// 2: bad flags, invalid spec, unreadable key.
    Usage = 2,
    /// 3: the image could not be fully checked.
    Incomplete = 3,
    /// 4: a bug.
    Internal = 4,
}

impl ExitCode {
    /// The code of a verdict.
    pub fn of_verdict(verdict: Verdict) -> Self {
        match verdict {
            Verdict::Pass => Self::Pass,
            Verdict::Fail => Self::Fail,
            Verdict::Incomplete => Self::Incomplete,
        }
    }

    /// The numeric code.
    pub fn code(self) -> u8 {
        self as u8
    }
}
