//! The JSON report is a public contract: the committed schema matches the model, and
//! real output validates against it.

use std::path::Path;

use crate::support::run::imgguard;

fn committed_schema() -> serde_json::Value {
    let path = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schemas/report.v1.json"
    ));
    serde_json::from_slice(&std::fs::read(path).expect("schemas/report.v1.json")).unwrap()
}

#[test]
fn committed_report_schema_matches_the_model() {
    let generated = imgguard(&["schema", "report"]);
    assert_eq!(generated.code, 0);
    let generated: serde_json::Value = serde_json::from_str(&generated.stdout).unwrap();
    if std::env::var_os("IMGGUARD_REGENERATE_SCHEMAS").is_some() {
        let path = Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/schemas/report.v1.json"
        ));
        std::fs::write(
            path,
            serde_json::to_string_pretty(&generated).unwrap() + "\n",
        )
        .unwrap();
    }
    assert_eq!(
        generated,
        committed_schema(),
        "the report model changed: review the contract change, then regenerate with IMGGUARD_REGENERATE_SCHEMAS=1"
    );
}

#[test]
fn demo_report_validates_against_the_schema() {
    let out = imgguard(&["check", "--demo", "--format", "json"]);
    let report = out.json();
    assert_eq!(report["schema"], "imgguard.report/v1");
    let validator = jsonschema::validator_for(&committed_schema()).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // A report with a finding and a gap must validate too (not only the happy shape).
    let mut broken = report.clone();
    broken["verdict"] = serde_json::json!("maybe");
    assert!(
        !validator.is_valid(&broken),
        "the schema must reject an unknown verdict"
    );
}
