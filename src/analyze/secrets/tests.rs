//! Tests of the secret scanner through the real engine: built-in rule proofs, the
//! streaming/whole-buffer equivalence, precision cases from the issue, redaction.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::naive_bytecount
)]

use std::collections::BTreeSet;
use std::sync::OnceLock;

use super::*;

fn builtin() -> &'static RuleSet {
    static SET: OnceLock<RuleSet> = OnceLock::new();
    SET.get_or_init(|| RuleSet::builtin().expect("built-in rules load"))
}

fn scanner() -> &'static Scanner {
    static SCANNER: OnceLock<Scanner> = OnceLock::new();
    SCANNER.get_or_init(|| Scanner::new(builtin()).expect("scanner builds"))
}

/// (rule id, offset, line, confidence, redacted) of every match of a whole-buffer scan.
fn scan_all(input: &[u8]) -> Vec<(String, u64, u64, Confidence, RedactedSecret)> {
    let mut out = Vec::new();
    scanner().scan(input, &mut |m| {
        out.push((
            m.rule.id.clone(),
            m.offset,
            m.line,
            m.confidence,
            m.redact(),
        ));
    });
    out
}

fn scan_stream(input: &[u8], chunk: usize) -> Vec<(String, u64, u64, Confidence, RedactedSecret)> {
    let mut out = Vec::new();
    let mut stream = StreamScanner::new(scanner());
    let mut sink = |m: SecretMatch<'_>| {
        out.push((
            m.rule.id.clone(),
            m.offset,
            m.line,
            m.confidence,
            m.redact(),
        ));
    };
    for piece in input.chunks(chunk) {
        stream.feed(piece, &mut sink);
    }
    stream.finish(&mut sink);
    out.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
    out
}

fn rule_ids(input: &str) -> BTreeSet<String> {
    scan_all(input.as_bytes())
        .into_iter()
        .map(|(id, ..)| id)
        .collect()
}

#[test]
fn builtin_rule_pack_has_at_least_100_rules_covering_the_issue_providers() {
    let set = builtin();
    assert!(set.len() >= 100, "only {} built-in rules", set.len());
    let providers: BTreeSet<&str> = set.rules().iter().map(|r| r.provider.as_str()).collect();
    for wanted in [
        "aws",
        "gcp",
        "azure",
        "github",
        "gitlab",
        "slack",
        "stripe",
        "twilio",
        "sendgrid",
        "mailgun",
        "npm",
        "pypi",
        "docker",
        "netrc",
        "git",
        "kubernetes",
        "hashicorp-vault",
        "hashicorp-terraform",
        "openai",
        "anthropic",
        "huggingface",
        "databricks",
        "datadog",
        "sentry",
        "shopify",
        "heroku",
        "digitalocean",
        "cloudflare",
        "postgresql",
        "mysql",
        "mongodb",
        "redis",
        "rabbitmq",
        "generic",
    ] {
        assert!(providers.contains(wanted), "no rule for provider {wanted}");
    }
}

#[test]
fn every_builtin_example_matches_and_every_negative_example_does_not() {
    let failures = check_rules(builtin());
    let report: Vec<String> = failures.iter().map(ToString::to_string).collect();
    assert!(
        report.is_empty(),
        "rule proofs failed:\n{}",
        report.join("\n")
    );
    let examples: usize = builtin().rules().iter().map(|r| r.examples.len()).sum();
    let negatives: usize = builtin()
        .rules()
        .iter()
        .map(|r| r.negative_examples.len())
        .sum();
    assert!(
        examples >= 100 && negatives >= 100,
        "{examples} examples, {negatives} negatives"
    );
}

#[test]
fn builtin_keywords_are_case_sensitive_literals_of_at_least_four_bytes() {
    // Short keywords defeat the SIMD prefilter; the few 3-byte ones are rare literals.
    let allowed_short = ["SG.", "hf_", "PWD", "Pwd", "xox"];
    for rule in builtin().rules() {
        for keyword in &rule.keywords {
            assert!(
                keyword.len() >= 4 || allowed_short.contains(&keyword.as_str()),
                "rule {} keyword {keyword:?} is shorter than 4 bytes",
                rule.id
            );
        }
    }
    assert!(
        scanner().keywords().len() <= 192,
        "{} keywords",
        scanner().keywords().len()
    );
}

#[test]
fn every_rule_explains_its_false_positive_guard_and_has_negatives() {
    for rule in builtin().rules() {
        assert!(
            rule.fp_guard.len() >= 20,
            "rule {} fp_guard too short",
            rule.id
        );
        assert!(
            !rule.negative_examples.is_empty(),
            "rule {} has no negative_examples",
            rule.id
        );
    }
}

#[test]
fn user_pack_with_a_bad_example_is_reported() {
    let pack = r"
rules:
  - id: secret.acme-internal-token
    title: ACME internal token
    provider: acme
    kind: api-token
    long_lived: true
    severity: high
    confidence: high
    keywords: [acme_tok_]
    pattern: '\b(acme_tok_[a-z0-9]{24})\b'
    fp_guard: Fixed prefix and exact length.
    examples:
      - 'TOKEN=acme_tok_q8v2m4p7s1w5y9b3d6f0h2k4'
      - 'TOKEN=acme_tok_tooshort'
    negative_examples:
      - 'TOKEN=acme_tok_z8v2m4p7s1w5y9b3d6f0h2k4'
";
    let set = RuleSet::from_yaml("acme.yaml", pack).unwrap();
    let failures = check_rules(&set);
    assert_eq!(failures.len(), 2, "{failures:?}");
    assert_eq!(failures[0].rule, "secret.acme-internal-token");
    assert_eq!(failures[0].index, 1);
    assert_eq!(failures[0].problem, check::CheckProblem::ExampleNotMatched);
    assert_eq!(failures[1].problem, check::CheckProblem::NegativeMatched);
    assert!(
        failures[0].to_string().contains("acme.yaml:3"),
        "{}",
        failures[0]
    );
}

#[test]
fn unknown_keys_and_bad_patterns_are_errors_with_a_line() {
    let unknown = "rules:\n  - id: secret.x-y\n    titel: typo\n";
    match RuleSet::from_yaml("u.yaml", unknown) {
        Err(RuleError::Parse { line, .. }) => assert_eq!(line, 3),
        other => panic!("expected a parse error, got {other:?}"),
    }
    let two_groups = r"
rules:
  - id: secret.two-groups
    title: t
    provider: p
    kind: api-token
    long_lived: true
    severity: low
    confidence: low
    keywords: [abcd]
    pattern: '(abcd)(efgh)'
    fp_guard: explains nothing useful here
    examples: ['abcdefgh']
";
    let err = RuleSet::from_yaml("g.yaml", two_groups).unwrap_err();
    assert!(
        err.to_string().contains("exactly one capture group"),
        "{err}"
    );
    assert!(err.to_string().contains("line 3"), "{err}");
}

#[test]
fn requires_within_needs_requires_and_reaches_the_longest_url_credential() {
    let orphan = "rules:
  - id: secret.x
    title: t
    provider: p
    kind: api-token
    long_lived: true
    severity: low
    confidence: low
    keywords: [abcd]
    pattern: 'abcd(efgh)'
    requires_within: 10
    fp_guard: explains nothing useful here
    examples: ['abcdefgh']
";
    let err = RuleSet::from_yaml("w.yaml", orphan).unwrap_err();
    assert!(err.to_string().contains("requires_within"), "{err}");
    // The longest user and password the URL rule reports (the password guard stops at
    // 200 bytes): its `@` is still within reach
    // of the `http` hit, so the precheck never drops a match the regex would make.
    let user = "u".repeat(100);
    let password: String = (0..198)
        .map(|i: u8| char::from(b'a' + (i % 26) * 7 % 26))
        .collect();
    let url = format!("RUN curl https://{user}:{password}Z9@artifacts.acme.test/x\n");
    let found = scan_all(url.as_bytes());
    assert!(
        found.iter().any(|f| f.0 == "secret.url-credentials"),
        "{found:?}"
    );
}

#[test]
fn env_db_pass_is_a_finding_and_db_user_is_not() {
    let found = scan_all(b"DB_PASS=ComplexPassword123\nDB_USER=readonly_user\n");
    assert_eq!(found.len(), 1, "{found:?}");
    let (id, _, line, confidence, redacted) = &found[0];
    assert_eq!(id, "secret.database-password-assignment");
    assert_eq!(*line, 1);
    assert!(gates_by_default(*confidence));
    assert_eq!(redacted.redacted, "Comp…(18)");
    assert_eq!(redacted.length, 18);
    let history =
        rule_ids("/bin/sh -c #(nop)  ENV DB_PASS=ComplexPassword123 DB_USER=readonly_user");
    assert!(
        history.contains("secret.database-password-assignment"),
        "{history:?}"
    );
}

#[test]
fn documented_examples_and_placeholders_do_not_match() {
    for quiet in [
        "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
        "password: changeme\n",
        "DB_PASSWORD=<password>\n",
        "API_TOKEN=${API_TOKEN}\n",
        "GITHUB_TOKEN=$(cat /run/secrets/gh)\n",
        "SLACK_TOKEN=xoxb-your-token-here\n",
        "secret: xxxxxxxxxxxxxxxxxxxxxxxx\n",
        "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n",
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG7p2FzZ9m0kq8Vw3uL5d1sY4b6nT0cR2eX9aJ7hK1oM user@host\n",
        "checksum: sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n",
        "request_id = 123e4567-e89b-12d3-a456-426614174000\n",
    ] {
        let found = scan_all(quiet.as_bytes());
        assert!(found.is_empty(), "{quiet:?} produced {found:?}");
    }
}

#[test]
fn aws_secret_next_to_a_key_id_is_confirmed() {
    let secret = "Zq8vL2mN4pR7sT1wX5yBc3Dd6Ef9Gh0Jk2Lm4NoP";
    let alone = scan_all(format!("aws_secret_access_key = {secret}\n").as_bytes());
    let paired = scan_all(
        format!("aws_access_key_id = AKIAZ3MSJV4WRLQ7HXNB\naws_secret_access_key = {secret}\n")
            .as_bytes(),
    );
    let confidence_of = |found: &[(String, u64, u64, Confidence, RedactedSecret)]| {
        found
            .iter()
            .find(|f| f.0 == "secret.aws-secret-access-key")
            .map(|f| f.3)
    };
    assert_eq!(confidence_of(&alone), Some(Confidence::Medium));
    assert_eq!(confidence_of(&paired), Some(Confidence::High));
}

#[test]
fn same_secret_claimed_by_two_rules_is_reported_once() {
    // The npm token matches both the npm token rule and the .npmrc _authToken rule.
    let body = "Q8v2M4p7S1w5Y9b3D6f0H2k4N7r1T5x9";
    let body = &body[..30];
    let token = format!("npm_{body}{}", validator::crc32_base62(body.as_bytes()));
    let found = scan_all(format!("//registry.npmjs.org/:_authToken={token}\n").as_bytes());
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "secret.npm-access-token");
}

fn planted_corpus() -> Vec<u8> {
    let mut corpus = bench::synthetic_text_corpus(3 * 1024 * 1024 + 12_345);
    // Plant every built-in example at spread-out places.
    let mut at = 1000;
    for rule in builtin().rules() {
        for example in &rule.examples {
            let pos = at % corpus.len();
            let nl = corpus[pos..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(corpus.len(), |p| pos + p + 1);
            let mut text = example.clone().into_bytes();
            text.push(b'\n');
            corpus.splice(nl..nl, text);
            at += 21_893;
        }
    }
    corpus
}

#[test]
fn streaming_scan_equals_whole_buffer_scan_for_any_chunking() {
    let corpus = planted_corpus();
    let mut whole = scan_all(&corpus);
    whole.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
    assert!(
        whole.len() >= 150,
        "only {} matches in the planted corpus",
        whole.len()
    );
    for chunk in [1 << 20, 65_536, 4093, 777] {
        let streamed = scan_stream(&corpus, chunk);
        assert_eq!(streamed.len(), whole.len(), "chunk {chunk}");
        assert_eq!(streamed, whole, "chunk {chunk}");
    }
}

#[test]
fn secret_across_a_chunk_boundary_is_found_once_with_its_line() {
    let token = "glpat-Zq8vL2mN4pR7sT1wX5yB";
    let mut text = Vec::new();
    for i in 0..50_000 {
        text.extend_from_slice(format!("line {i} of filler text\n").as_bytes());
    }
    let line = text.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let split_at = text.len() + 10;
    text.extend_from_slice(format!("GITLAB_TOKEN={token}\n").as_bytes());
    let mut stream = StreamScanner::new(scanner());
    let mut found = Vec::new();
    let mut sink = |m: SecretMatch<'_>| found.push((m.rule.id.clone(), m.line, m.redact()));
    let (a, b) = text.split_at(split_at);
    stream.feed(a, &mut sink);
    stream.feed(b, &mut sink);
    stream.finish(&mut sink);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "secret.gitlab-personal-access-token");
    assert_eq!(found[0].1, line);
    assert_eq!(found[0].2, RedactedSecret::from_value(token.as_bytes()));
}

#[test]
fn secrets_in_binaries_are_found_through_printable_strings() {
    let mut binary = vec![0u8, 1, 2, 0x7f, 0xff];
    binary.extend_from_slice(b"\x00SENDGRID_API_KEY=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\x00\x01");
    assert!(strings::looks_binary(&binary));
    let text = strings::printable_strings(&binary, strings::DEFAULT_MIN_RUN);
    assert!(rule_ids(std::str::from_utf8(&text).unwrap()).contains("secret.sendgrid-api-key"));
}

#[test]
fn redacted_form_never_carries_the_value() {
    let token = "sk_live_Zq8vL2mN4pR7sT1wX5yBc3Dd";
    let found = scan_all(format!("STRIPE_KEY={token}").as_bytes());
    assert_eq!(found.len(), 1);
    let rendered = format!("{:?} {}", found[0].4, found[0].4.redacted);
    assert!(!rendered.contains(&token[4..]), "{rendered}");
    assert!(found[0].4.redacted.starts_with("sk_l"), "{:?}", found[0].4);
}

#[test]
fn private_keys_in_every_format_parse_and_truncated_ones_do_not() {
    for id in [
        "secret.private-key-rsa",
        "secret.private-key-ec",
        "secret.private-key-dsa",
        "secret.private-key-openssh",
        "secret.private-key-pkcs8",
        "secret.private-key-pkcs8-encrypted",
        "secret.private-key-pgp",
        "secret.private-key-rsa-encrypted-legacy",
        "secret.private-key-putty",
    ] {
        let rule = builtin().rules().iter().find(|r| r.id == id).unwrap();
        let found = rule_ids(&rule.examples[0]);
        assert!(found.contains(id), "{id}: {found:?}");
        let truncated: String = rule.examples[0]
            .lines()
            .take(3)
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            !rule_ids(&truncated).contains(id),
            "{id} matched a truncated block"
        );
    }
}

#[test]
fn user_rule_pack_file_is_read_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("team.yaml");
    let pack = "rules:\n  - id: secret.team-token\n    title: Team token\n    provider: team\n    kind: api-token\n    long_lived: true\n    severity: high\n    confidence: high\n    keywords: [team_tok_]\n    pattern: '\\b(team_tok_[A-Za-z0-9]{20})\\b'\n    fp_guard: Fixed prefix and exact length.\n    examples: ['TEAM=team_tok_Zq8vL2mN4pR7sT1wX5yB']\n    negative_examples: ['TEAM=team_tok_short']\n";
    fs_err::write(&path, pack).unwrap();
    let set = RuleSet::from_file(&path).unwrap();
    assert!(check_rules(&set).is_empty());
    let missing = RuleSet::from_file(&dir.path().join("missing.yaml")).unwrap_err();
    assert!(matches!(missing, RuleError::Read { .. }), "{missing:?}");
}
