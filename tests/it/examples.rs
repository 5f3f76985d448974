//! Every file under `examples/` parses, and every `imgguard` command line in it uses
//! subcommands and report formats the binary knows.

use std::path::Path;

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[test]
fn every_example_parses_and_names_known_formats() {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/examples"));
    let mut all = Vec::new();
    files(root, &mut all);
    let yaml: Vec<_> = all
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    assert!(yaml.len() >= 2, "expected the CI examples, found {all:?}");
    let known = [
        "human",
        "json",
        "sarif",
        "junit",
        "github",
        "gitlab",
        "gitlab-codequality",
        "gitlab-secret-detection",
    ];
    for path in yaml {
        let text = std::fs::read_to_string(path).unwrap();
        let parsed: Result<serde_json::Value, _> = serde_saphyr::from_str(&text);
        assert!(parsed.is_ok(), "{}: {:?}", path.display(), parsed.err());
        assert!(
            text.contains("imgguard check"),
            "{} never runs imgguard check",
            path.display()
        );
        for (i, _) in text.match_indices("-f ") {
            let format = text[i + 3..]
                .split(|c: char| c == '=' || c.is_whitespace())
                .next()
                .unwrap();
            assert!(
                known.contains(&format),
                "{}: unknown report format `{format}`",
                path.display()
            );
        }
    }
}
