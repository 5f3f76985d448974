//! `imgguard keygen`: a new ECDSA P-256 key pair in cosign's encrypted format.
//!
//! The output is interchangeable with `cosign generate-key-pair`: `<prefix>.key`
//! (`ENCRYPTED SIGSTORE PRIVATE KEY`, scrypt N=32768 r=8 p=1, nacl/secretbox over
//! PKCS#8) and `<prefix>.pub` (SPKI PEM).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use super::cosign_key::{COSIGN_LABEL, SIGSTORE_LABEL, encrypt_cosign_key};
use super::{CosignKdfParams, CryptoError, PrivateKey};

/// Which PEM label the encrypted private key gets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CosignKeyLabel {
    /// `ENCRYPTED SIGSTORE PRIVATE KEY`, what cosign ≥ 2.0 writes.
    #[default]
    Sigstore,
    /// `ENCRYPTED COSIGN PRIVATE KEY`, the only label containers/image (skopeo,
    /// podman, buildah) reads.
    Cosign,
}

impl CosignKeyLabel {
    fn pem_label(self) -> &'static str {
        match self {
            Self::Sigstore => SIGSTORE_LABEL,
            Self::Cosign => COSIGN_LABEL,
        }
    }
}

/// A generated key pair as PEM text.
pub struct GeneratedKeyPair {
    /// The encrypted private key PEM (secret only with its password).
    pub private_pem: Zeroizing<String>,
    /// The SPKI public key PEM.
    pub public_pem: String,
}

/// Generates an ECDSA P-256 key pair, the private half encrypted with `password`.
pub fn generate_cosign_key_pair(
    password: &[u8],
    label: CosignKeyLabel,
) -> Result<GeneratedKeyPair, CryptoError> {
    let key = PrivateKey::generate_p256()?;
    let der = key.to_pkcs8_der()?;
    let private_pem = encrypt_cosign_key(
        &der,
        password,
        CosignKdfParams::default(),
        label.pem_label(),
    )?;
    Ok(GeneratedKeyPair {
        private_pem,
        public_pem: key.public_key().to_pem(),
    })
}

/// Generates a key pair and writes `<prefix>.key` (mode 0600 on Unix) and
/// `<prefix>.pub`; refuses to overwrite either. Returns the two paths.
pub fn write_cosign_key_pair(
    prefix: &Path,
    password: &[u8],
    label: CosignKeyLabel,
) -> Result<(PathBuf, PathBuf), CryptoError> {
    let key_path = prefix.with_extension("key");
    let pub_path = prefix.with_extension("pub");
    for path in [&key_path, &pub_path] {
        if path.exists() {
            return Err(CryptoError::KeyFileExists {
                path: path.display().to_string(),
            });
        }
    }
    let pair = generate_cosign_key_pair(password, label)?;
    let mut options = fs_err::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use fs_err::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut key_file = options.open(&key_path)?;
    key_file.write_all(pair.private_pem.as_bytes())?;
    let mut pub_file = fs_err::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&pub_path)?;
    pub_file.write_all(pair.public_pem.as_bytes())?;
    Ok((key_path, pub_path))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::{CosignKeyLabel, generate_cosign_key_pair, write_cosign_key_pair};
    use crate::crypto::{CryptoError, PrivateKey, PrivateKeyFormat, PublicKey};

    #[test]
    fn generated_pair_loads_back_with_its_password_only() {
        let pair = generate_cosign_key_pair(b"pw", CosignKeyLabel::Sigstore).unwrap();
        assert!(
            pair.private_pem
                .starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n")
        );
        let key = PrivateKey::from_pem(&pair.private_pem, Some(b"pw"), "gen").unwrap();
        assert_eq!(key.format(), PrivateKeyFormat::SigstoreEncrypted);
        let public = PublicKey::from_pem(&pair.public_pem, "gen.pub").unwrap();
        assert_eq!(key.public_key(), &public);
        assert!(PrivateKey::from_pem(&pair.private_pem, Some(b"px"), "gen").is_err());
    }

    #[test]
    fn generated_key_decrypts_with_an_independent_python_reader() {
        // Independent check of the container format: Python's hashlib.scrypt and the
        // secretbox layout (cosign's JSON) are read by a script we did not derive from
        // our code path; only `cryptography` and the standard library are used.
        let pair = generate_cosign_key_pair(b"pw", CosignKeyLabel::Cosign).unwrap();
        assert!(
            pair.private_pem
                .starts_with("-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----\n")
        );
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/cosign_key_check.py");
        let mut child = std::process::Command::new("python3")
            .arg(script)
            .arg("pw")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        std::io::Write::write_all(child.stdin.as_mut().unwrap(), pair.private_pem.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8(out.stdout).unwrap(), pair.public_pem);
    }

    #[test]
    fn keygen_writes_files_and_refuses_to_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let prefix = dir.path().join("vsa");
        let (key_path, pub_path) =
            write_cosign_key_pair(&prefix, b"pw", CosignKeyLabel::default()).unwrap();
        let key = PrivateKey::from_pem(
            &fs_err::read_to_string(&key_path).unwrap(),
            Some(b"pw"),
            "k",
        )
        .unwrap();
        let public = PublicKey::from_pem(&fs_err::read_to_string(&pub_path).unwrap(), "p").unwrap();
        assert_eq!(key.public_key(), &public);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = fs_err::metadata(&key_path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let err = write_cosign_key_pair(&prefix, b"pw", CosignKeyLabel::Cosign).unwrap_err();
        assert!(matches!(err, CryptoError::KeyFileExists { .. }), "{err}");
    }
}
