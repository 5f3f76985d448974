//! Every file under `examples/` parses. The CI walkthroughs run `imgguard check` with
//! `--attest … --push-attestation` and a deploy step with `imgguard gate`, using only
//! flags and report formats the binary knows. The admission policies (Kyverno,
//! policy-controller) name the predicate type, the predicate keys and the levels that
//! imgguard really emits, and a key imgguard can read.

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use imgguard::attest::{LEVEL_CONFIG_BASELINE, LEVEL_FILESYSTEM_BASELINE, LEVEL_NO_SECRETS};
use imgguard::intoto::VSA_PREDICATE_TYPE;
use serde_json::Value;

use crate::support::run::{binary, imgguard};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn yaml_files() -> Vec<PathBuf> {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/examples"));
    let mut all = Vec::new();
    files(root, &mut all);
    all.into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect()
}

fn parse(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn strings<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::String(s) => out.push(s),
        Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

/// The argument text of every `imgguard SUBCOMMAND …` invocation in `text`.
fn invocations<'a>(text: &'a str, subcommand: &str) -> Vec<&'a str> {
    let needle = format!("imgguard {subcommand} ");
    text.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &text[i + needle.len()..];
            let end = rest.find(['|', ';', '\n']).unwrap_or(rest.len());
            &rest[..end]
        })
        .collect()
}

fn known_flags(subcommand: &str) -> String {
    let out = Command::new(binary())
        .args([subcommand, "--help"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn ci_examples_check_attest_push_and_gate_with_real_flags() {
    let ci: Vec<PathBuf> = yaml_files()
        .into_iter()
        .filter(|p| !p.components().any(|c| c.as_os_str() == "kubernetes"))
        .collect();
    assert!(ci.len() >= 2, "expected the CI examples, found {ci:?}");
    let help = |s: &str| known_flags(s);
    let (check_help, gate_help) = (help("check"), help("gate"));
    for path in ci {
        let doc = parse(&path);
        let mut texts = Vec::new();
        strings(&doc, &mut texts);
        let checks: Vec<&str> = texts.iter().flat_map(|t| invocations(t, "check")).collect();
        let gates: Vec<&str> = texts.iter().flat_map(|t| invocations(t, "gate")).collect();
        assert!(
            !checks.is_empty(),
            "{} never runs imgguard check",
            path.display()
        );
        assert!(
            !gates.is_empty(),
            "{} never runs imgguard gate",
            path.display()
        );
        assert!(
            checks
                .iter()
                .any(|c| c.contains("--attest ") && c.contains("--push-attestation")),
            "{}: no check signs and pushes a VSA",
            path.display()
        );
        for (args, help) in checks
            .iter()
            .map(|c| (c, &check_help))
            .chain(gates.iter().map(|g| (g, &gate_help)))
        {
            let tokens: Vec<&str> = args.split_whitespace().collect();
            for (i, token) in tokens.iter().enumerate() {
                if let Some(flag) = token.strip_prefix("--") {
                    let flag = flag.split('=').next().unwrap();
                    assert!(
                        help.contains(&format!("--{flag}")),
                        "{}: unknown flag --{flag} in `{args}`",
                        path.display()
                    );
                }
                if *token == "-f" {
                    let format = tokens[i + 1].split('=').next().unwrap();
                    assert!(
                        format.parse::<imgguard::spec::ReportFormat>().is_ok(),
                        "{}: unknown report format `{format}`",
                        path.display()
                    );
                }
            }
        }
        for gate in &gates {
            assert!(
                gate.contains("--key ") && gate.contains("--verifier-id "),
                "{gate}"
            );
            assert!(gate.contains('@'), "the gate must name a digest: {gate}");
        }
    }
}

/// The predicate of a VSA the real binary issues (keygen, then a check of the demo image).
fn emitted_predicate() -> Value {
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("vsa");
    let env = [("IMGGUARD_KEY_PASSWORD", "examples")];
    let run = |args: &[&str]| {
        let out = Command::new(binary())
            .args(args)
            .envs(env)
            .output()
            .unwrap();
        assert!(
            out.status.code().is_some_and(|c| c == 0 || c == 1),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&["keygen", "--output-key-prefix", prefix.to_str().unwrap()]);
    let vsa = dir.path().join("vsa.json");
    run(&[
        "check",
        "--demo",
        "--attest",
        vsa.to_str().unwrap(),
        "--attest-key",
        prefix.with_extension("key").to_str().unwrap(),
        "--verifier-id",
        "https://ci.example.com/imgguard",
    ]);
    let envelope: Value = serde_json::from_slice(&std::fs::read(vsa).unwrap()).unwrap();
    let payload = base64::engine::general_purpose::STANDARD
        .decode(envelope["payload"].as_str().unwrap())
        .unwrap();
    let statement: Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(statement["predicateType"], VSA_PREDICATE_TYPE);
    statement["predicate"].clone()
}

fn has_path(value: &Value, path: &str) -> bool {
    path.split('.')
        .try_fold(value, |v, key| v.get(key))
        .is_some()
}

fn assert_public_key(pem: &str, what: &str) {
    imgguard::crypto::PublicKey::from_pem(pem, what)
        .unwrap_or_else(|e| panic!("{what}: the key is not one imgguard reads: {e}"));
}

#[test]
fn admission_policies_name_what_imgguard_emits() {
    let predicate = emitted_predicate();
    let levels = [
        LEVEL_NO_SECRETS,
        LEVEL_CONFIG_BASELINE,
        LEVEL_FILESYSTEM_BASELINE,
    ];
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/kubernetes"));

    let kyverno = parse(&dir.join("kyverno-require-vsa.yaml"));
    assert_eq!(kyverno["kind"], "ClusterPolicy");
    let image_rule = &kyverno["spec"]["rules"][0]["verifyImages"][0];
    let attestation = &image_rule["attestations"][0];
    assert_eq!(attestation["type"], VSA_PREDICATE_TYPE);
    let entry = &attestation["attestors"][0]["entries"][0]["keys"];
    assert_public_key(entry["publicKeys"].as_str().unwrap(), "kyverno publicKeys");
    let conditions = attestation["conditions"][0]["all"].as_array().unwrap();
    let mut named = Vec::new();
    for condition in conditions {
        let key = condition["key"].as_str().unwrap();
        let inner = key.trim_start_matches("{{").trim_end_matches("}}").trim();
        // `time_since('', timeVerified, '')` names its middle argument.
        let field = inner
            .strip_prefix("time_since(")
            .map_or(inner, |rest| rest.split(',').nth(1).unwrap().trim());
        assert!(
            has_path(&predicate, field),
            "kyverno condition `{key}` names `{field}`, which imgguard's predicate lacks: {predicate:#}"
        );
        named.push(field.to_owned());
        if field == "verificationResult" {
            assert_eq!(condition["value"], "PASSED");
        }
        if field == "verifiedLevels" {
            for level in condition["value"].as_array().unwrap() {
                assert!(levels.contains(&level.as_str().unwrap()), "{level}");
            }
        }
    }
    for required in ["verificationResult", "verifier.id", "timeVerified"] {
        assert!(
            named.iter().any(|n| n == required),
            "kyverno lacks {required}"
        );
    }

    let cip = parse(&dir.join("policy-controller-vsa.yaml"));
    assert_eq!(cip["kind"], "ClusterImagePolicy");
    let authority = &cip["spec"]["authorities"][0];
    assert_public_key(
        authority["key"]["data"].as_str().unwrap(),
        "policy-controller key",
    );
    let attestation = &authority["attestations"][0];
    assert_eq!(attestation["predicateType"], VSA_PREDICATE_TYPE);
    let rego = attestation["policy"]["data"].as_str().unwrap();
    assert!(rego.contains(&format!("input.predicateType == \"{VSA_PREDICATE_TYPE}\"")));
    let mut fields = Vec::new();
    for (i, _) in rego.match_indices("input.predicate.") {
        let rest = &rego[i + "input.predicate.".len()..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))
            .unwrap_or(rest.len());
        fields.push(&rest[..end]);
    }
    for field in &fields {
        assert!(
            has_path(&predicate, field),
            "rego names `{field}`, not in {predicate:#}"
        );
    }
    for required in ["verificationResult", "verifier.id", "timeVerified"] {
        assert!(
            fields.contains(&required),
            "policy-controller lacks {required}"
        );
    }
    assert!(levels.contains(&LEVEL_NO_SECRETS) && rego.contains(LEVEL_NO_SECRETS));
    // The help of the binary names the gate the examples rely on.
    assert_eq!(imgguard(&["gate", "--help"]).code, 0);
}
