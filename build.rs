//! Compiles the demo image (`testdata/demo`, an OCI layout of a few KB) into the binary
//! so `imgguard check --demo` works from anywhere.

use std::fmt::Write as _;
use std::path::Path;

fn collect(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect(root, &path, out);
        } else if let Ok(rel) = path.strip_prefix(root) {
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/demo");
    println!("cargo::rerun-if-changed=testdata/demo");
    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    let mut code = String::from(
        "/// The demo layout's files.\npub static DEMO_FILES: &[(&str, &[u8])] = &[\n",
    );
    for f in &files {
        let _ = writeln!(
            code,
            "    ({f:?}, include_bytes!({:?})),",
            root.join(f).to_string_lossy()
        );
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").unwrap_or_default()).join("demo_files.rs");
    if let Err(e) = std::fs::write(&out, code) {
        println!("cargo::warning=failed to write {}: {e}", out.display());
    }
}
