//! "Did you mean …?" hints: the closest allowed word by edit distance, so a typo in a
//! spec names its fix instead of only failing.

/// The allowed word closest to `given`, when it is close enough to be a likely typo.
pub fn closest<'a>(given: &str, allowed: &[&'a str]) -> Option<&'a str> {
    let given_lower = given.to_ascii_lowercase();
    allowed
        .iter()
        .map(|&candidate| {
            (
                strsim::damerau_levenshtein(&given_lower, &candidate.to_ascii_lowercase()),
                candidate,
            )
        })
        .filter(|&(distance, candidate)| {
            // Allow about one edit per three characters, and at least one or two.
            let limit = (candidate.len().max(given.len()) / 3).max(2);
            distance <= limit
        })
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, candidate)| candidate)
}

/// The help line for a word that is not allowed.
pub fn did_you_mean(given: &str, allowed: &[&str]) -> String {
    match closest(given, allowed) {
        Some(best) => format!("did you mean `{best}`?"),
        None => format!(
            "allowed here: {}",
            allowed
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_their_word() {
        let keys = ["enabled", "fail_on", "min_confidence", "disable"];
        assert_eq!(closest("fail_onn", &keys), Some("fail_on"));
        assert_eq!(closest("failon", &keys), Some("fail_on"));
        assert_eq!(closest("Fail_On", &keys), Some("fail_on"));
        assert_eq!(closest("disabled", &keys), Some("disable"));
        assert_eq!(closest("zzzzzzzzzzz", &keys), None);
        assert_eq!(did_you_mean("x", &["a", "bcdefgh"]), "did you mean `a`?");
        assert!(did_you_mean("qqqqqqqq", &["abcdefg"]).starts_with("allowed here"));
    }
}
