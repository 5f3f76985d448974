//! Registry writes: blob existence and upload (POST then PUT with `?digest=`),
//! manifest PUT returning what the registry said (`Docker-Content-Digest`, checked
//! against what was sent, and `OCI-Subject`), and manifests read with their `ETag` for
//! `If-Match` updates of shared tags (the cosign `.att` manifest, the referrers
//! tag-schema index).
//!
//! Sits beside [`RegistryClient`]: it only adds methods over the client's `send`, so
//! authentication (tokens with `pull,push` from [`RegistryClient::new_for_push`], basic
//! auth) and retries are the client's. The `attest` stage decides what to push.

use std::io::Read as _;

use reqwest::Method;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue, IF_MATCH};

use super::RegistryError;
use super::client::{DocumentError, RegistryClient, RequestBody, StreamBody, Target};
use crate::oci::Digest;
use crate::oci::media_type::{DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST};

/// Every manifest type read back, in order of preference.
pub const MANIFEST_ACCEPT: [&str; 4] = [
    OCI_INDEX,
    OCI_MANIFEST,
    DOCKER_MANIFEST_LIST,
    DOCKER_MANIFEST,
];
/// The largest manifest or index read or written (the distribution default is 4 MiB).
pub const MAX_MANIFEST_BYTES: u64 = 4 << 20;
/// The largest blob this module uploads in one PUT (attestation blobs are KBs).
pub const MAX_PUSH_BLOB_BYTES: usize = 16 << 20;

/// A manifest or index as the registry served it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionedManifest {
    /// The exact bytes.
    pub bytes: Vec<u8>,
    /// `Content-Type` (parameters dropped), else the document's own `mediaType`.
    pub media_type: String,
    /// SHA-256 of `bytes` (checked against the digest asked for, or the one announced).
    pub digest: Digest,
    /// The `ETag`, for an `If-Match` update.
    pub etag: Option<String>,
}

/// What the registry answered to a manifest PUT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PutManifest {
    /// The digest of the bytes sent (the registry's `Docker-Content-Digest` agreed).
    pub digest: Digest,
    /// The `OCI-Subject` header: present when the registry has the Referrers API.
    pub oci_subject: Option<String>,
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

fn media_type_of(headers: &HeaderMap, bytes: &[u8]) -> String {
    let content_type = header(headers, "content-type")
        .map(|t| t.split(';').next().unwrap_or("").trim().to_owned())
        .unwrap_or_default();
    if content_type.starts_with("application/vnd.") {
        return content_type;
    }
    // Some registries send application/json: the document's own field decides.
    serde_json::from_slice::<serde_json::Value>(bytes)
        .ok()
        .and_then(|v| v.get("mediaType")?.as_str().map(str::to_owned))
        .unwrap_or(content_type)
}

impl RegistryClient {
    fn url_of(&self, path: &str) -> String {
        format!("{}/{path}", self.location())
    }

    /// The registry's `Docker-Content-Digest`, when it sends one, names what was sent.
    fn check_announced(
        &self,
        headers: &HeaderMap,
        sent: &Digest,
        path: &str,
    ) -> Result<(), RegistryError> {
        match header(headers, "docker-content-digest") {
            Some(announced) if announced != sent.to_string() => Err(RegistryError::Mismatch {
                url: self.url_of(path),
                expected: sent.to_string(),
                found: announced,
            }),
            _ => Ok(()),
        }
    }

    fn too_large(&self, path: &str, size: u64, limit: u64) -> RegistryError {
        RegistryError::TooLarge {
            url: self.url_of(path),
            size,
            limit,
        }
    }

    fn document(
        &self,
        path: &str,
        accept: &[&str],
        limit: u64,
    ) -> Result<Option<(HeaderMap, Vec<u8>)>, RegistryError> {
        match self.get_document(path, accept, limit) {
            Ok(found) => Ok(Some(found)),
            Err(DocumentError::Registry(RegistryError::Status { status: 404, .. })) => Ok(None),
            Err(DocumentError::Registry(e)) => Err(e),
            Err(DocumentError::TooLarge(size)) => Err(self.too_large(path, size, limit)),
        }
    }

    /// GET a manifest or index by tag or digest with its `ETag`, to update it (or, by
    /// digest, to describe it as a `subject`); `None` when the registry has none
    /// (404). Bytes fetched by digest must hash to it; by tag, to the digest the
    /// registry announced (when it did). Read-only discovery uses
    /// [`referrers`](super::referrers) instead.
    pub fn manifest_for_update(
        &self,
        reference: &str,
    ) -> Result<Option<VersionedManifest>, RegistryError> {
        let path = format!("manifests/{reference}");
        let Some((headers, bytes)) = self.document(&path, &MANIFEST_ACCEPT, MAX_MANIFEST_BYTES)?
        else {
            return Ok(None);
        };
        let digest = Digest::sha256_of(&bytes);
        let expected = reference
            .parse::<Digest>()
            .ok()
            .or_else(|| header(&headers, "docker-content-digest").and_then(|d| d.parse().ok()));
        if let Some(expected) = expected
            && expected.same_algorithm_of(&bytes) != expected
        {
            return Err(RegistryError::Mismatch {
                url: self.url_of(&path),
                expected: expected.to_string(),
                found: expected.same_algorithm_of(&bytes).to_string(),
            });
        }
        Ok(Some(VersionedManifest {
            media_type: media_type_of(&headers, &bytes),
            etag: header(&headers, "etag"),
            digest,
            bytes,
        }))
    }

    /// Whether the registry holds blob `digest` (HEAD).
    pub fn blob_exists(&self, digest: &Digest) -> Result<bool, RegistryError> {
        let path = format!("blobs/{digest}");
        match self.send(&Method::HEAD, &Target::Path(&path), &HeaderMap::new(), None) {
            Ok(_) => Ok(true),
            Err(RegistryError::Status { status: 404, .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Uploads `bytes` as blob `digest` unless the registry already has it: POST an
    /// upload session, then PUT the whole blob to its location with `?digest=`.
    /// Returns whether anything was uploaded.
    pub fn push_blob(&self, digest: &Digest, bytes: &[u8]) -> Result<bool, RegistryError> {
        let path = format!("blobs/{digest}");
        if bytes.len() > MAX_PUSH_BLOB_BYTES {
            return Err(self.too_large(&path, bytes.len() as u64, MAX_PUSH_BLOB_BYTES as u64));
        }
        let actual = digest.same_algorithm_of(bytes);
        if &actual != digest {
            return Err(RegistryError::Mismatch {
                url: self.url_of(&path),
                expected: digest.to_string(),
                found: actual.to_string(),
            });
        }
        if self.blob_exists(digest)? {
            return Ok(false);
        }
        self.upload(digest, &RequestBody::Bytes(bytes))?;
        Ok(true)
    }

    /// Uploads blob `digest` of `length` bytes streamed from `open` (called once per
    /// attempt; memory stays bounded whatever the size), without asking first whether
    /// the registry has it: [`blob_exists`](Self::blob_exists) is the caller's. The
    /// reader `open` returns should check the digest as it reads and fail the read
    /// when the bytes are not the blob, and `give_up` say when that happened, so no
    /// retry sends the same wrong bytes again.
    pub fn upload_blob_stream(
        &self,
        digest: &Digest,
        length: u64,
        open: &dyn Fn() -> std::io::Result<Box<dyn std::io::Read + Send>>,
        give_up: &dyn Fn() -> bool,
    ) -> Result<(), RegistryError> {
        let stream = StreamBody {
            length,
            open,
            give_up,
        };
        self.upload(digest, &RequestBody::Stream(&stream))
    }

    /// POST an upload session, then PUT the whole blob to its location with
    /// `?digest=` (a monolithic upload).
    fn upload(&self, digest: &Digest, body: &RequestBody<'_>) -> Result<(), RegistryError> {
        let path = format!("blobs/{digest}");
        let started = self.send(
            &Method::POST,
            &Target::Path("blobs/uploads/"),
            &HeaderMap::new(),
            Some(&[]),
        )?;
        let location =
            header(started.headers(), "location").ok_or_else(|| RegistryError::Status {
                url: self.url_of("blobs/uploads/"),
                status: started.status().as_u16(),
                message: "the upload answer has no Location".to_owned(),
            })?;
        let mut url = reqwest::Url::parse(&self.resolve_location(&location)?).map_err(|e| {
            RegistryError::Status {
                url: self.url_of("blobs/uploads/"),
                status: started.status().as_u16(),
                message: format!("unusable upload location: {e}"),
            }
        })?;
        url.query_pairs_mut()
            .append_pair("digest", &digest.to_string());
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/octet-stream"),
        );
        let put = self.send_body(&Method::PUT, &Target::Url(url.to_string()), &headers, body);
        match put {
            Ok(response) => self.check_announced(response.headers(), digest, &path),
            // A retried PUT may find its session consumed by the first attempt that
            // did arrive: the blob being there is what counts (the registry checked
            // it against `?digest=`).
            Err(e) if self.blob_exists(digest).unwrap_or(false) => {
                drop(e);
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// PUT a manifest at `reference` (a tag or its digest) with `media_type`, and
    /// `If-Match: etag` when given (a 412 answer is [`RegistryError::Status`] with
    /// status 412). The digest the registry announces must be that of `bytes`.
    pub fn put_manifest(
        &self,
        reference: &str,
        media_type: &str,
        bytes: &[u8],
        if_match: Option<&str>,
    ) -> Result<PutManifest, RegistryError> {
        let path = format!("manifests/{reference}");
        if bytes.len() as u64 > MAX_MANIFEST_BYTES {
            return Err(self.too_large(&path, bytes.len() as u64, MAX_MANIFEST_BYTES));
        }
        let invalid_header = |what: &str| RegistryError::Status {
            url: self.url_of(&path),
            status: 0,
            message: format!("{what} is not a valid header value"),
        };
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_str(media_type).map_err(|_| invalid_header("the media type"))?,
        );
        if let Some(etag) = if_match {
            headers.insert(
                IF_MATCH,
                HeaderValue::from_str(etag).map_err(|_| invalid_header("the ETag"))?,
            );
        }
        let response = self.send(&Method::PUT, &Target::Path(&path), &headers, Some(bytes))?;
        let digest = Digest::sha256_of(bytes);
        self.check_announced(response.headers(), &digest, &path)?;
        let oci_subject = header(response.headers(), "oci-subject");
        // Drain the small body so the connection can be reused.
        let _ = response.take(4096).read_to_end(&mut Vec::new());
        Ok(PutManifest {
            digest,
            oci_subject,
        })
    }
}
