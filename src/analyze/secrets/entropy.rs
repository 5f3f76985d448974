//! Shannon entropy of a captured value, the floor some rules put on random tokens.

/// Bits per byte over the byte histogram of `value` (0 for empty input).
pub fn shannon(value: &[u8]) -> f64 {
    if value.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in value {
        if let Some(c) = counts.get_mut(usize::from(b)) {
            *c += 1;
        }
    }
    #[expect(
        clippy::cast_precision_loss,
        reason = "values are bounded by the window size, far below 2^52"
    )]
    let len = value.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / len;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_of_uniform_and_constant() {
        assert!(shannon(b"aaaaaaaa").abs() < 1e-9);
        assert!((shannon(b"abcd") - 2.0).abs() < 1e-9);
        assert!(shannon(b"").abs() < 1e-9);
    }
}
