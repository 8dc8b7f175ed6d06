//! Counted nouns and articles for every text a person reads (CLI reports, the explorer): `1
//! network`, `2 networks`, `an endpoint`, `a subnet`.
//!
//! Owns: the number and article of a noun. Must never: decide what is counted, or know which
//! screen or report the words go to.

/// `n` and the noun in the number `n` asks for: `plural(1, "network", "networks")` is
/// `1 network`, any other count (0 too) takes the plural.
pub fn plural(n: impl TryInto<u64>, one: &str, many: &str) -> String {
    let n: u64 = n.try_into().unwrap_or(u64::MAX);
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// `a` or `an` before `word`, by its first sound: `an endpoint`, `an NSG`, `a subnet`,
/// `a UDP port`.
pub fn article(word: &str) -> &'static str {
    let w = word.trim_start();
    let acronym = w.len() >= 2 && w.chars().take(2).all(|c| c.is_ascii_uppercase());
    let an = if acronym {
        // Spelled out letter by letter: A, E, F, H, I, L, M, N, O, R, S, X sound like a vowel.
        w.starts_with(['A', 'E', 'F', 'H', 'I', 'L', 'M', 'N', 'O', 'R', 'S', 'X'])
    } else {
        let l = w.to_ascii_lowercase();
        // A vowel letter with a consonant sound: `a unique`, `a user`, `a one-way`.
        let consonant_sound = ["uni", "use", "usu", "uti", "one", "eu"]
            .iter()
            .any(|p| l.starts_with(p));
        l.starts_with(['a', 'e', 'i', 'o', 'u']) && !consonant_sound
    };
    if an { "an" } else { "a" }
}

/// `word` with its article: `an endpoint`.
pub fn with_article(word: &str) -> String {
    format!("{} {word}", article(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_every_other_count_plural() {
        assert_eq!(plural(0, "network", "networks"), "0 networks");
        assert_eq!(plural(1_usize, "network", "networks"), "1 network");
        assert_eq!(plural(2_u32, "network", "networks"), "2 networks");
        assert_eq!(plural(1, "anomaly", "anomalies"), "1 anomaly");
        assert_eq!(plural(-1_i64, "x", "xs"), format!("{} xs", u64::MAX));
    }

    #[test]
    fn articles_follow_the_first_sound() {
        for (w, a) in [
            ("endpoint", "an"),
            ("application endpoint", "an"),
            ("internet address", "an"),
            ("NSG", "an"),
            ("HTTP proxy", "an"),
            ("subnet", "a"),
            ("network", "a"),
            ("zone", "a"),
            ("UDP port", "a"),
            ("unique id", "a"),
            ("user", "a"),
            ("one-way flow", "a"),
            ("TCP port", "a"),
            ("AWS VPC", "an"),
            ("update", "an"),
        ] {
            assert_eq!(article(w), a, "{w}");
        }
        assert_eq!(with_article("endpoint"), "an endpoint");
    }
}
